import Foundation
import Testing
import TokenGateTestSupport
import TokenGateWire

extension OneAtATime {
    /// Starting, stopping and the socket file, against the real binary.
    @Suite("Daemon: lifecycle and socket file")
    struct DaemonLifecycleTests {
        @Test("the socket file is mode 0600")
        func socketMode() async throws {
            try await DaemonProcess.with { daemon in
                let attributes = try FileManager.default.attributesOfItem(atPath: daemon.socketPath)
                let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue
                #expect(mode == 0o600)
            }
        }

        @Test("a second daemon on a live socket refuses to start with 'already running' and exit 1")
        func alreadyRunning() async throws {
            try await DaemonProcess.with { daemon in
                let second = try await CommandRun.tokengate(["serve", "--socket", daemon.socketPath, "--no-state"], timeout: 20)
                #expect(second.status == 1)
                #expect(second.stderr.contains("already running"))
                #expect(try LineClient(path: daemon.socketPath).status().state == .running)
            }
        }

        @Test("a stale socket file is replaced")
        func staleSocket() async throws {
            try await DaemonProcess.with { daemon in
                daemon.kill9()
                #expect(FileManager.default.fileExists(atPath: daemon.socketPath), "SIGKILL leaves the socket file")
                try await daemon.start()
                #expect(try LineClient(path: daemon.socketPath).status().state == .running)
            }
        }

        @Test("a path that is not a socket is never deleted")
        func notASocket() async throws {
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let path = directory.file("precious.txt")
            try "keep me".write(toFile: path, atomically: true, encoding: .utf8)
            let run = try await CommandRun.tokengate(["serve", "--socket", path, "--no-state"], timeout: 20)
            #expect(run.status == 1)
            #expect(run.stderr.contains("not a socket"))
            #expect((try? String(contentsOfFile: path, encoding: .utf8)) == "keep me")
        }

        @Test("SIGTERM answers pending acquires with shutting_down, removes the socket file and exits 0")
        func gracefulShutdown() async throws {
            try await DaemonProcess.with(arguments: ["--limit", "100"]) { daemon in
                let client = try LineClient(path: daemon.socketPath)
                _ = try client.request(#"{"op":"acquire","tokens":90}"#)
                try client.send(#"{"op":"acquire","tokens":50,"id":"waiting"}"#)
                #expect(try await eventually { try LineClient(path: daemon.socketPath).status().waiting == 1 })
                let status = daemon.stop()
                let reply = try client.readReply()
                #expect(reply["id"]?.stringValue == "waiting")
                #expect(reply["error"]?.stringValue == "shutting_down")
                #expect(status == 0)
                #expect(!FileManager.default.fileExists(atPath: daemon.socketPath))
            }
        }

        @Test("a closed connection's waiters are withdrawn and its tickets released; the next waiter is granted")
        func disconnectReleases() async throws {
            try await DaemonProcess.with(arguments: ["--limit", "1000"]) { daemon in
                var holder: LineClient? = try LineClient(path: daemon.socketPath)
                #expect(try holder?.request(#"{"op":"acquire","tokens":800}"#)["ok"] == .bool(true))
                try holder?.send(#"{"op":"acquire","tokens":800}"#)
                let waiter = try LineClient(path: daemon.socketPath)
                try waiter.send(#"{"op":"acquire","tokens":500,"id":"next"}"#)
                #expect(try await eventually { try LineClient(path: daemon.socketPath).status().waiting == 2 })
                holder = nil  // closes the connection
                let grant = try waiter.readReply()
                #expect(grant["id"]?.stringValue == "next")
                #expect(grant["ok"] == .bool(true))
                let status = try waiter.status()
                #expect(status.inFlight == 1 && status.waiting == 0 && status.reserved == 500)
            }
        }

        @Test("a waiter is granted when usage slides out of the window, not seconds later")
        func grantAtTheInstantCapacityFrees() async throws {
            try await DaemonProcess.with(arguments: ["--limit", "1000"]) { daemon in
                let client = try LineClient(path: daemon.socketPath)
                _ = try client.request(#"{"op":"report","input":900,"output":0}"#)
                let reported = Date()
                let reply = try client.request(#"{"op":"acquire","tokens":100,"id":"w"}"#, timeout: 10)
                let granted = Date()
                #expect(reply["ok"] == .bool(true))
                // The 2 s window frees the 900 tokens 2 s after the report; generous tolerance for a
                // shared machine, but nothing like a polling interval on top.
                let elapsed = granted.timeIntervalSince(reported)
                #expect(elapsed >= 1.95 && elapsed < 2.5, "granted after \(elapsed) s")
                let waited = reply["waited_ms"]?.int64Value ?? -1
                #expect(waited >= 1900 && waited < 2500)
            }
        }

        @Test("acquire with timeout_ms times out with the timeout code")
        func acquireTimeout() async throws {
            try await DaemonProcess.with(arguments: ["--limit", "1000"]) { daemon in
                let client = try LineClient(path: daemon.socketPath)
                _ = try client.request(#"{"op":"acquire","tokens":900}"#)
                let reply = try client.request(#"{"op":"acquire","tokens":100,"timeout_ms":200,"id":7}"#)
                #expect(reply["error"]?.stringValue == "timeout")
                #expect(reply["id"] == .integer(7))
                #expect(try client.status().waiting == 0)
            }
        }
    }
}
