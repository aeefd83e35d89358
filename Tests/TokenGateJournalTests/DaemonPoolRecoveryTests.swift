import Foundation
import Testing
import TokenGateTestSupport
import TokenGateWire

extension OneAtATime {
    /// Pools across a restart: usage comes back to the pool it counted in, a pause of every pool
    /// pauses every pool again, and a pool's own pause, limit change and open grants come back to it.
    @Suite("Real binary: pools after a restart")
    struct DaemonPoolRecoveryTests {
        @Test("usage returns to its model's pool; a pause of every pool is restored for every pool")
        func poolsAfterRestart() throws {
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let state = directory.file("u.sqlite")
            let socket = directory.file("s.sock")
            let arguments = [
                "--state", state, "--window", "30", "--limit", "100000", "--log-level", "warning",
                "--pool", "opus:models=claude-opus-*,limit=5000",
            ]
            try DaemonProcess.withBlocking(socket: socket, arguments: arguments, directory: directory, logName: "1.log") { daemon in
                let client = try daemon.client()
                #expect(try client.request(#"{"op":"report","input":300,"output":20,"model":"claude-opus-4-1"}"#)["ok"] == true)
                #expect(try client.request(#"{"op":"report","input":100,"output":5}"#)["ok"] == true)
                #expect(try client.request(#"{"op":"pause"}"#)["state"] == "paused")
            }
            try DaemonProcess.withBlocking(socket: socket, arguments: arguments, directory: directory, logName: "2.log") { daemon in
                let status = try daemon.client().status()
                let opus = try #require(status.pools?.first { $0.name == "opus" })
                #expect(opus.used == 320, "the opus report came back to opus")
                #expect(status.used == 105, "and the other to default")
                #expect(status.pools?.allSatisfy { $0.state == .paused } == true, "\(String(describing: status.pools))")
            }
        }

        @Test("a pool's own pause and limit change come back to that pool; the others keep theirs")
        func poolOwnPauseAndLimitAfterRestart() throws {
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let state = directory.file("u.sqlite")
            let socket = directory.file("s.sock")
            let arguments = [
                "--state", state, "--window", "30", "--limit", "100000", "--log-level", "warning",
                "--pool", "opus:models=claude-opus-*,limit=5000",
                "--pool", "haiku:models=claude-haiku-*,limit=9000,threshold=0.8",
            ]
            let first = try DaemonProcess.started(socket: socket, arguments: arguments, directory: directory, logName: "1.log")
            defer { first.stop() }
            let client = try first.client()
            #expect(try client.request(#"{"op":"pause","pool":"opus"}"#)["state"] == "paused")
            #expect(try client.request(#"{"op":"set_limit","pool":"haiku","limit":4000,"threshold":0.5}"#)["ok"] == true)
            #expect(try client.request(#"{"op":"set_limit","threshold":0.7}"#)["ok"] == true)
            // A grant in the pool of its model, still open when the daemon dies.
            #expect(try client.request(#"{"op":"acquire","tokens":600,"model":"claude-haiku-3"}"#)["ticket"] != nil)
            let committed = try JournalFixtures.eventually {
                try JournalFixtures.count("actions", in: state) == 3 && JournalFixtures.count("open_grants", in: state) == 1
            }
            #expect(committed, "the actions and the open grant were not committed")
            first.kill9()

            try DaemonProcess.withBlocking(socket: socket, arguments: arguments, directory: directory, logName: "2.log") { daemon in
                let client = try daemon.client()
                var status = try client.status()
                let opus = try #require(status.pools?.first { $0.name == "opus" })
                let haiku = try #require(status.pools?.first { $0.name == "haiku" })
                #expect(opus.state == .paused, "opus's own pause came back")
                #expect(haiku.state == .running && status.state == .running, "and paused nothing else")
                #expect(haiku.limit == 4000 && haiku.threshold == 0.5, "haiku's limit came back to haiku")
                #expect(haiku.reserved == 600, "its open grant came back to haiku")
                #expect(opus.limit == 5000 && opus.threshold == 0.9, "opus kept its own")
                #expect(status.limit == 100_000 && status.threshold == 0.7, "default's threshold came back to default")
                #expect(try client.request(#"{"op":"resume","pool":"opus"}"#)["state"] == "running")
                #expect(try client.request(#"{"op":"pause","pool":"default"}"#)["state"] == "paused")
                status = try client.status()
                #expect(status.state == .paused)
                // Committed before the stop (a loaded machine may outlast its SIGTERM grace).
                #expect(try JournalFixtures.eventually { try JournalFixtures.count("actions", in: state) == 5 })
            }
            try DaemonProcess.withBlocking(socket: socket, arguments: arguments, directory: directory, logName: "3.log") { daemon in
                let status = try daemon.client().status()
                let states = Dictionary(uniqueKeysWithValues: (status.pools ?? []).map { ($0.name, $0.state) })
                #expect(states == ["default": .paused, "opus": .running, "haiku": .running], "the last pool actions win")
            }
        }

        @Test("a pool's journaled limit is not restored when that pool now starts with another limit")
        func poolLimitYieldsToNewStart() throws {
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let state = directory.file("u.sqlite")
            let socket = directory.file("s.sock")
            let base = ["--state", state, "--window", "30", "--limit", "100000", "--log-level", "warning"]
            try DaemonProcess.withBlocking(
                socket: socket, arguments: base + ["--pool", "opus:models=claude-opus-*,limit=5000"], directory: directory, logName: "1.log"
            ) { daemon in
                let client = try daemon.client()
                #expect(try client.request(#"{"op":"set_limit","pool":"opus","limit":3000}"#)["ok"] == true)
            }
            try DaemonProcess.withBlocking(
                socket: socket, arguments: base + ["--pool", "opus:models=claude-opus-*,limit=6000"], directory: directory, logName: "2.log"
            ) { daemon in
                let status = try daemon.client().status()
                let opus = try #require(status.pools?.first { $0.name == "opus" })
                #expect(opus.limit == 6000, "the new starting limit wins")
            }
        }
    }
}
