import Foundation
import Testing
import TokenGateTestSupport

extension OneAtATime {
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

        @Test("a subscriber that reads slowly gets fewer, newer snapshots and stays connected")
        func readsSlowly() async throws {
            try await DaemonProcess.with(arguments: ["--window", "30"]) { daemon in
                let feeder = try LineClient(path: daemon.socketPath)
                // 600 workers make every snapshot some 80 KB: three of them pass 256 KiB.
                for index in 0..<600 {
                    _ = try feeder.request(#"{"op":"report","input":1,"output":1,"worker":"w-\#(index)"}"#)
                }
                let reader = try LineClient(path: daemon.socketPath)
                try reader.send(#"{"op":"subscribe","interval_ms":50}"#)
                var snapshots = 0
                var lastUsed: Int64 = 0
                for round in 0..<25 {
                    // Changes the daemon pushes at once, far faster than this subscriber reads.
                    for _ in 0..<5 {
                        _ = try feeder.request(#"{"op":"report","input":1,"output":1,"worker":"w-0"}"#)
                    }
                    let line = try reader.readLine(timeout: 10)
                    if line.contains("\"snapshot\"") {
                        snapshots += 1
                        let used = try reader.lastUsed(in: line)
                        #expect(used >= lastUsed, "round \(round): snapshots go back in time")
                        lastUsed = used
                    }
                    try await Task.sleep(for: .milliseconds(200))
                }
                #expect(snapshots >= 20)
                #expect(!daemon.log.contains("subscriber not reading"), "\(daemon.log)")
                // It was skipped over, not fed everything: the last one it read is recent.
                let now = try feeder.status().used
                #expect(lastUsed >= now - 2 * 5 * 2 * 3, "the subscriber is handed the latest state, not a backlog")
            }
        }
    }
}

extension LineClient {
    /// The `used` figure of a snapshot event line.
    fileprivate func lastUsed(in line: String) throws -> Int64 {
        guard let range = line.range(of: #""used":"#) else { throw TestFailure("no used in \(line.prefix(200))") }
        let digits = line[range.upperBound...].prefix { $0.isNumber }
        guard let value = Int64(digits) else { throw TestFailure("bad used in \(line.prefix(200))") }
        return value
    }
}
