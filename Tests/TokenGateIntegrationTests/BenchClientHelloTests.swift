import Foundation
import Testing
import TokenGateTestSupport
import TokenGateWire

extension OneAtATime {
    /// Every client the benchmarks start opens with a `hello` the daemon accepts, so its work is
    /// counted under the worker name it was given (a refused hello left the raw client as `pid-N`).
    @Suite("bench clients say hello as the protocol wants")
    struct BenchClientHelloTests {
        @Test("each bench socket-client driver is accepted and counted under its worker name", arguments: ["raw", "client"])
        func helloAccepted(driver: String) async throws {
            try await DaemonProcess.with { daemon in
                let worker = "bench-hello-\(driver)"
                for mode in ["report", "rt"] {
                    let run = try await CommandRun.tokengate(
                        [
                            "bench", "socket-client", "--socket", daemon.socketPath, "--mode", mode, "--driver", driver,
                            "--duration", "0.2", "--worker", worker,
                        ],
                        timeout: 60)
                    #expect(run.status == 0, "\(run)")
                    let result = try JSONValue.parse(Array(run.stdout.utf8))
                    #expect(result["errors"]?.int64Value == 0, "\(run.stdout)")
                    #expect((result["count"]?.int64Value ?? 0) > 0, "\(run.stdout)")
                }
                let workers = try LineClient(path: daemon.socketPath).status().workers.map(\.worker)
                #expect(workers == [worker], "workers seen by the daemon: \(workers)")
            }
        }
    }
}
