import Foundation
import GRDB
import Testing
import TokenGateTestSupport
import TokenGateWire

extension OneAtATime {
    /// Against the real `tokengate` binary: one daemon per journal, a journal of its own for a daemon
    /// on another socket, nothing opened by a daemon refused for its socket, and limit changes that
    /// outlive a restart.
    @Suite("Real binary: journal ownership and limit changes")
    struct DaemonJournalOwnershipTests {
        /// `opened_at_ms` in the journal at `path`.
        private func openedAt(_ path: String) throws -> String? {
            try JournalFixtures.reader(path).read { db in
                try String.fetchOne(db, sql: "SELECT value FROM journal_info WHERE key = 'opened_at_ms'")
            }
        }

        @Test("a second daemon on another socket but the same journal is refused with one line; the first is untouched")
        func secondDaemonRefused() throws {
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let state = directory.file("u.sqlite")
            try DaemonProcess.withBlocking(socket: directory.file("a.sock"), arguments: ["--state", state], directory: directory, logName: "a.log") { first in
                _ = try first.client().request(#"{"op":"report","input":700,"output":50,"worker":"first"}"#)
                let opened = try openedAt(state)
                let firstPID = try #require(first.pid)
                let second = try CommandRun.tokengateBlocking(["serve", "--socket", directory.file("b.sock"), "--state", state])
                #expect(second.status == 1, "\(second.stderr)")
                let lines = second.stderr.split(separator: "\n").filter { $0.hasPrefix("tokengate:") }
                #expect(lines.count == 1, "\(second.stderr)")
                #expect(second.stderr.contains("journal \(state) is in use by another daemon (pid \(firstPID))"))
                #expect(second.stderr.contains("--state"))
                #expect(!FileManager.default.fileExists(atPath: directory.file("b.sock")))
                #expect(try openedAt(state) == opened, "the refused daemon wrote to the journal")
                let status = try first.client().status()
                #expect(status.used == 750)
            }
        }

        @Test("a daemon refused because its socket is taken opens no journal and changes nothing in one")
        func refusedForTheSocketOpensNothing() throws {
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let state = directory.file("u.sqlite")
            let socket = directory.file("s.sock")
            try DaemonProcess.withBlocking(socket: socket, arguments: ["--state", state], directory: directory, logName: "a.log") { _ in
                let opened = try openedAt(state)
                usleep(5_000)  // a later open would stamp a later time
                for journal in [state, directory.file("other.sqlite")] {
                    let refused = try CommandRun.tokengateBlocking(["serve", "--socket", socket, "--state", journal])
                    #expect(refused.status == 1, "\(refused.stderr)")
                    #expect(refused.stderr.contains("already"), "\(refused.stderr)")
                    #expect(!refused.stderr.contains("journal"), "\(refused.stderr)")
                }
                #expect(try openedAt(state) == opened)
                #expect(!FileManager.default.fileExists(atPath: directory.file("other.sqlite")))
            }
        }

        @Test("without --state, a daemon on a socket other than the default keeps a journal of its own")
        func journalPerSocket() throws {
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            var environment = HermeticEnvironment.variables
            environment["XDG_STATE_HOME"] = directory.file("state")
            environment["XDG_RUNTIME_DIR"] = directory.file("run")
            environment["TOKENGATE_SOCKET"] = nil
            let first = directory.file("a.sock")
            let second = directory.file("b.sock")
            try DaemonProcess.withBlocking(socket: first, arguments: [], directory: directory, logName: "a.log", environment: environment) { a in
                _ = try a.client().request(#"{"op":"report","input":2000,"output":150,"worker":"a"}"#)
                try DaemonProcess.withBlocking(socket: second, arguments: [], directory: directory, logName: "b.log", environment: environment) { b in
                    let status = try b.client().status()
                    #expect(status.used == 0, "the second daemon took in the first's usage")
                    let slug = second.dropFirst().replacingOccurrences(of: "/", with: "-")
                    #expect(status.journal?.path == directory.file("state/tokengate/usage-\(slug).sqlite"))
                }
                let slug = first.dropFirst().replacingOccurrences(of: "/", with: "-")
                #expect(try a.client().status().journal?.path == directory.file("state/tokengate/usage-\(slug).sqlite"))
                // history finds it from the same socket.
                usleep(300_000)
                let history = try CommandRun.tokengateBlocking(
                    ["history", "--socket", first, "--format", "csv"], environment: environment)
                #expect(history.status == 0, "\(history.stderr)")
                #expect(history.stdout.contains("a,"), "\(history.stdout)")
            }
            // The default socket keeps the default journal.
            let defaultSocket = directory.file("run/tokengate.sock")
            try FileManager.default.createDirectory(atPath: directory.file("run"), withIntermediateDirectories: true)
            try DaemonProcess.withBlocking(socket: defaultSocket, arguments: [], directory: directory, logName: "c.log", environment: environment) { c in
                let path = try c.client().status().journal?.path
                #expect(path == directory.file("state/tokengate/usage.sqlite"))
            }
        }

        @Test("limit and threshold changes are journaled and restored with the paused state, and logged")
        func limitRestored() throws {
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let state = directory.file("u.sqlite")
            let socket = directory.file("s.sock")
            let arguments = ["--state", state, "--limit", "1800000"]
            try DaemonProcess.withBlocking(socket: socket, arguments: arguments, directory: directory, logName: "1.log") { _ in
                let limit = try CommandRun.tokengateBlocking(["limit", "500000", "--threshold", "0.8", "--socket", socket])
                #expect(limit.status == 0, "\(limit.stderr)")
                #expect(try CommandRun.tokengateBlocking(["pause", "--socket", socket]).status == 0)
            }
            try DaemonProcess.withBlocking(socket: socket, arguments: arguments, directory: directory, logName: "2.log") { daemon in
                let status = try daemon.client().status()
                #expect(status.state == .paused)
                #expect(status.limit == 500_000)
                #expect(status.threshold == 0.8)
                #expect(daemon.log.contains("restored the limit from the journal"), "\(daemon.log)")
                #expect(daemon.log.contains("limit=500000"), "\(daemon.log)")
            }
            // Started with other values, the new ones win, and the log says why.
            try DaemonProcess.withBlocking(
                socket: socket, arguments: ["--state", state, "--limit", "700000"], directory: directory, logName: "3.log"
            ) { daemon in
                let status = try daemon.client().status()
                #expect(status.limit == 700_000)
                #expect(status.threshold == 0.9)
                #expect(status.state == .paused)
                #expect(daemon.log.contains("journaled limit change not restored"), "\(daemon.log)")
            }
        }
    }
}
