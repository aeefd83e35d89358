import Foundation
import Testing
import TokenGateTestSupport
import TokenGateWire

extension OneAtATime {
    /// A daemon killed while workers hold tickets: the restarted daemon still counts the capacity
    /// those grants took, because their requests were sent and their usage is still to come.
    @Suite("Real binary: open grants across a SIGKILL")
    struct DaemonOpenGrantRecoveryTests {
        private static let limit: Int64 = 10_000
        private static let cap: Int64 = 9_000

        private func arguments(state: String) -> [String] {
            ["--state", state, "--window", "3", "--limit", "\(Self.limit)", "--threshold", "0.9", "--log-level", "warning"]
        }

        @Test("an unsettled grant is held again after a restart and settled by a report under its old ticket")
        func heldAndSettled() throws {
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let state = directory.file("u.sqlite")
            let socket = directory.file("s.sock")

            let first = try DaemonProcess.started(socket: socket, arguments: arguments(state: state), directory: directory, logName: "1.log")
            defer { first.stop() }
            let worker = try first.client()
            let held = try #require(try worker.request(#"{"op":"acquire","tokens":4000}"#)["ticket"]?.stringValue)
            let released = try #require(try worker.request(#"{"op":"acquire","tokens":1000}"#)["ticket"]?.stringValue)
            #expect(try worker.request(#"{"op":"release","ticket":"\#(released)"}"#)["ok"] == true)
            let reported = try #require(try worker.request(#"{"op":"acquire","tokens":500}"#)["ticket"]?.stringValue)
            #expect(try worker.request(#"{"op":"report","ticket":"\#(reported)","input":300,"output":200}"#)["ok"] == true)
            let committed = try JournalFixtures.eventually {
                try JournalFixtures.count("usage", in: state) == 1 && JournalFixtures.count("open_grants", in: state) == 1
            }
            #expect(committed, "the batch with the report and the open grant was not committed")
            first.kill9()

            try DaemonProcess.withBlocking(socket: socket, arguments: arguments(state: state), directory: directory, logName: "2.log") { daemon in
                let client = try daemon.client()
                let status = try client.status()
                #expect(status.reserved == 4_000, "the unsettled grant still takes its capacity")
                #expect(status.inFlight == 1)
                #expect(status.used == 500)
                // Without the held grant this would fit (500 + 4,501 <= 9,000); with it, it must wait.
                let refused = try client.request(#"{"op":"acquire","tokens":\#(Self.cap - 4_000 - 500 + 1),"timeout_ms":200}"#)
                #expect(refused["error"] == "timeout")
                // The worker reconnects and reports under the ticket the dead daemon gave it: settled.
                let report = try LineClient(path: socket).request(
                    #"{"op":"report","ticket":"\#(held)","input":2500,"output":1000}"#
                )
                #expect(report["ok"] == true)
                #expect(report["warning"] == nil, "the old ticket is known: \(report.jsonText)")
                let after = try client.status()
                #expect(after.reserved == 0 && after.inFlight == 0)
                #expect(after.used == 4_000)
                // Its release is journaled too: a second crash does not bring it back.
                #expect(try JournalFixtures.eventually { try JournalFixtures.count("open_grants", in: state) == 0 })
            }
        }

        @Test("a held grant nobody reports slides out of the window, uncharged, and stays open for its report")
        func heldUntilTheWindowEnds() throws {
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let state = directory.file("u.sqlite")
            let socket = directory.file("s.sock")

            let first = try DaemonProcess.started(socket: socket, arguments: arguments(state: state), directory: directory, logName: "1.log")
            defer { first.stop() }
            let worker = try first.client()
            #expect(try worker.request(#"{"op":"acquire","tokens":2000}"#)["ticket"] != nil)
            #expect(try JournalFixtures.eventually { try JournalFixtures.count("open_grants", in: state) == 1 })
            first.kill9()

            try DaemonProcess.withBlocking(socket: socket, arguments: arguments(state: state), directory: directory, logName: "2.log") { daemon in
                let client = try daemon.client()
                let status = try client.status()
                #expect(status.reserved == 2_000)
                var maximumUsed: Int64 = 0
                let ended = try JournalFixtures.eventually(timeout: 6) {
                    let now = try client.status()
                    maximumUsed = max(maximumUsed, now.used)
                    return now.reserved == 0
                }
                #expect(ended, "the held grant outlived its window")
                #expect(try client.status().inFlight == 1, "its ticket stays open for a late report")
                #expect(maximumUsed == 0, "an unreported recovered grant is not charged on top")
                let granted = try client.request(#"{"op":"acquire","tokens":\#(Self.cap),"timeout_ms":200}"#)
                #expect(granted["ticket"] != nil)
            }
        }
    }
}
