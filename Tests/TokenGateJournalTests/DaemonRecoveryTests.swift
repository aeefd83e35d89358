import Foundation
import Testing
import TokenGateTestSupport
import TokenGateWire

extension OneAtATime {
    /// Against the real `tokengate` binary: a restarted daemon, and one killed with SIGKILL under
    /// load, know the usage they had.
    @Suite("Real binary: recovery")
    struct DaemonRecoveryTests {
        @Test("a restarted daemon knows the window's usage and the paused state, and admits exactly as before")
        func restart() throws {
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let state = directory.file("u.sqlite")
            let socket = directory.file("s.sock")
            let arguments = ["--state", state, "--window", "30", "--limit", "100000", "--threshold", "0.9", "--log-level", "warning"]
            let cap: Int64 = 90_000
            var expected: Int64 = 0

            // First life: reports, then SIGTERM (the journal is flushed on shutdown).
            let used = try DaemonProcess.withBlocking(socket: socket, arguments: arguments, directory: directory, logName: "1.log") { daemon in
                let client = try daemon.client()
                for index in 0..<50 {
                    let input = 100 + index
                    let reply = try client.request(
                        #"{"op":"report","input":\#(input),"output":10,"cache_creation":2,"worker":"w\#(index % 3)"}"#
                    )
                    #expect(reply["ok"] == true)
                    expected += Int64(input + 12)
                }
                let status = try client.status()
                #expect(status.journal == JournalStatus(path: state, ok: true))
                return status.used
            }
            #expect(used == expected)

            // Second life: the same figure; history works beside it; admission is exact; pause, then SIGKILL.
            try DaemonProcess.withBlocking(socket: socket, arguments: arguments, directory: directory, logName: "2.log") { daemon in
                let client = try daemon.client()
                let status = try client.status()
                #expect(status.used == used)
                #expect(status.state == .running)
                #expect(Set(status.workers.map(\.worker)) == ["w0", "w1", "w2"])

                let history = try CommandRun.tokengateBlocking(["history", "--state", state, "--since", "5m", "--format", "json"])
                #expect(history.status == 0, "\(history.stderr)")
                let report = try JSONValue.parse(history.stdout.trimmingCharacters(in: .newlines))
                #expect(report["total"]?["tokens"]?.int64Value == used)
                #expect(report["total"]?["requests"] == 50)

                let refused = try client.request(#"{"op":"acquire","tokens":\#(cap - used + 1),"timeout_ms":300}"#)
                #expect(refused["error"] == "timeout")
                let granted = try client.request(#"{"op":"acquire","tokens":\#(cap - used),"timeout_ms":300}"#)
                let ticket = try #require(granted["ticket"]?.stringValue)
                #expect(try client.request(#"{"op":"release","ticket":"\#(ticket)"}"#)["ok"] == true)
                #expect(try client.request(#"{"op":"pause"}"#)["state"] == "paused")
                usleep(400_000)  // more than one commit interval
                daemon.kill9()
            }

            // Third life: still paused, same usage.
            try DaemonProcess.withBlocking(socket: socket, arguments: arguments, directory: directory, logName: "3.log") { daemon in
                let status = try daemon.client().status()
                #expect(status.state == .paused)
                #expect(status.used == used)
            }
        }

        @Test("SIGKILL under load loses at most the last batch, and the restarted daemon admits nothing the old one would not")
        func crashUnderLoad() throws {
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let state = directory.file("u.sqlite")
            let socket = directory.file("s.sock")
            let limit: Int64 = 1_000_000_000
            let cap = limit / 10 * 9
            let arguments = ["--state", state, "--window", "30", "--limit", "\(limit)", "--log-level", "warning"]
            let perReport: Int64 = 10

            let first = try DaemonProcess.started(socket: socket, arguments: arguments, directory: directory, logName: "1.log")
            defer { first.stop() }
            let load = try ReportLoad(socket: socket, clients: 4, input: 7, output: 3, pause: 0.0002)
            defer { load.stop() }
            usleep(1_500_000)
            let killedAt = DispatchTime.now().uptimeNanoseconds
            first.kill9()
            load.stop()
            let sent = load.sentCount
            let acknowledged = load.acknowledgedCount
            // Acknowledged 200 ms or more before the kill: committed (a batch every 100 ms, plus the
            // commit itself and scheduling on a loaded machine), so it must come back.
            let durable = load.acknowledged(before: killedAt - 200_000_000)
            let lastBatch = acknowledged - load.acknowledged(before: killedAt - 100_000_000)
            #expect(acknowledged > 300 && durable > 0, "the load was too light to mean anything")

            try DaemonProcess.withBlocking(socket: socket, arguments: arguments, directory: directory, logName: "2.log") { daemon in
                let client = try daemon.client()
                let used = try client.status().used
                let lost = Int64(acknowledged) - used / perReport
                print(
                    "SIGKILL under load: \(acknowledged) reports acknowledged, \(sent) sent, \(used / perReport) recovered, "
                        + "lost \(lost) (reports acknowledged in the last 100 ms: \(lastBatch))"
                )
                #expect(used % perReport == 0)
                #expect(used <= Int64(sent) * perReport)
                #expect(used >= Int64(durable) * perReport)

                // The old daemon had at least `durable` reports: it would refuse this; so must the new one.
                let refused = try client.request(
                    #"{"op":"acquire","tokens":\#(cap - Int64(durable) * perReport + 1),"timeout_ms":300}"#
                )
                #expect(refused["error"] == "timeout")
                let granted = try client.request(#"{"op":"acquire","tokens":\#(cap - used),"timeout_ms":300}"#)
                #expect(granted["ticket"] != nil)
            }
        }
    }
}
