import Foundation
import TokenGateTestSupport
import Testing

extension OneAtATime {
    /// Hostile and broken clients, short CI versions of scripts/hostile.sh: each case is a function
    /// of scripts/hardening/hostile.py, which checks its own outcome and prints it as JSON.
    @Suite("Daemon: hostile clients", .enabled(if: HardeningScript.python != nil, "needs python3"))
    struct DaemonHostileClientTests {
        private func hostile(_ daemon: DaemonProcess, _ arguments: [String]) async throws -> [String: Any] {
            let pid = try #require(daemon.pid)
            let script = try await HardeningScript.run(
                "hostile.py", ["--socket", daemon.socketPath, "--pid", "\(pid)"] + arguments
            )
            let result = try script.result()
            #expect(script.run.status == 0, "\(script.run)\n\(daemon.log)")
            return result
        }

        @Test("50 connections with partial lines that never finish do not slow others, and leave nothing behind")
        func partialLines() async throws {
            try await DaemonProcess.with { daemon in
                let result = try await hostile(daemon, ["--case", "partial", "--count", "50", "--max-latency-ms", "1500"])
                #expect(result.bool("descriptors_released"), "\(result)")
                #expect(result.double("status_p99_ms_during") < 1500, "\(result)")
            }
        }

        @Test("subscribers that never read are disconnected while another client is served")
        func deafSubscribers() async throws {
            try await DaemonProcess.with { daemon in
                let result = try await hostile(daemon, ["--case", "deaf", "--count", "5", "--workers", "100", "--timeout", "30", "--max-latency-ms", "1500"])
                #expect(result.bool("all_disconnected"), "\(result)")
            }
        }

        @Test("a client killed holding a grant: it is released and the next waiter granted; a killed waiter leaves the queue")
        func killedMidAcquire() async throws {
            try await DaemonProcess.with(arguments: ["--limit", "1000"]) { daemon in
                let result = try await hostile(daemon, ["--case", "killed", "--count", "3"])
                #expect((result["failures"] as? [Any])?.isEmpty == true, "\(result)")
                #expect(result.int("in_flight_after") == 0 && result.int("waiting_after") == 0, "\(result)")
            }
        }

        @Test("connects and disconnects as fast as 4 threads can for 2 s: no descriptor, ticket or waiter leaks")
        func connectChurn() async throws {
            try await DaemonProcess.with { daemon in
                let result = try await hostile(daemon, ["--case", "churn", "--threads", "4", "--duration", "2"])
                #expect(result.int("connections") > 200, "\(result)")
                #expect(result.bool("descriptors_back_to_baseline"), "\(result)")
                #expect(result.int("churn_workers_still_connected") == 0, "\(result)")
            }
        }

        @Test("out of file descriptors: accept errors are logged, open connections served, accepting resumes")
        func fileDescriptorsRunOut() async throws {
            try await DaemonProcess.with(arguments: ["--log-level", "notice"], fileLimit: 48) { daemon in
                let result = try await hostile(daemon, ["--case", "fdlimit", "--count", "60"])
                #expect(result.int("left_waiting") > 0, "the limit was never reached: \(result)")
                #expect(result.bool("old_connection_served"), "\(result)")
                #expect(result.bool("new_connection_after_release"), "\(result)")
                #expect(result.double("daemon_cpu_while_exhausted") < 0.5, "the daemon spins on accept: \(result)")
                #expect(daemon.log.contains("accept failed"), "\(daemon.log)")
                #expect(daemon.log.contains("accepting connections again"), "\(daemon.log)")
            }
        }
    }
}
