import Foundation
import Testing
import TokenGateTestSupport

/// A subscriber that stops reading must not make the daemon buffer without bound.
@Suite("Daemon: slow subscribers")
struct DaemonSlowSubscriberTests {
    @Test("a subscriber that never reads is disconnected once its backlog passes the bound")
    func neverReads() async throws {
        try await DaemonProcess.with(arguments: ["--window", "30"]) { daemon in
            let feeder = try LineClient(path: daemon.socketPath)
            // 300 workers make every snapshot some 40 KB.
            for index in 0..<300 {
                _ = try feeder.request(#"{"op":"report","input":1,"output":1,"worker":"w-\#(index)"}"#)
            }
            let sleeper = try LineClient(path: daemon.socketPath)
            try sleeper.send(#"{"op":"subscribe","interval_ms":50}"#)
            let disconnected = try await eventually(timeout: .seconds(30)) {
                _ = try feeder.request(#"{"op":"report","input":1,"output":1,"worker":"w-0"}"#)
                return daemon.log.contains("subscriber not reading")
            }
            #expect(disconnected, "the daemon kept buffering for a subscriber that never reads")
            #expect(try sleeper.isClosedByPeer(timeout: 10))
            #expect(try feeder.status().state == .running)
        }
    }
}
