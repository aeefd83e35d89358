import Foundation
import Testing
import TokenGateTestSupport
import TokenGateWire

/// Pools across a restart: usage comes back to the pool of its model, and a pause of every pool
/// pauses every pool again.
@Suite("Real binary: pools after a restart", .serialized)
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
        try withDaemon(socket: socket, arguments: arguments, logPath: directory.file("1.log")) { daemon in
            let client = try daemon.client()
            #expect(try client.request(#"{"op":"report","input":300,"output":20,"model":"claude-opus-4-1"}"#)["ok"] == true)
            #expect(try client.request(#"{"op":"report","input":100,"output":5}"#)["ok"] == true)
            #expect(try client.request(#"{"op":"pause"}"#)["state"] == "paused")
        }
        try withDaemon(socket: socket, arguments: arguments, logPath: directory.file("2.log")) { daemon in
            let status = try daemon.client().status()
            let opus = try #require(status.pools?.first { $0.name == "opus" })
            #expect(opus.used == 320, "the opus report came back to opus")
            #expect(status.used == 105, "and the other to default")
            #expect(status.pools?.allSatisfy { $0.state == .paused } == true, "\(String(describing: status.pools))")
        }
    }
}
