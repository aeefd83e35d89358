import Foundation
import TokenGateClient
import TokenGateWire

/// `demo --headless`: one status line a second on stdout.
enum DemoHeadless {
    static func printStatusLines(client: TokenGateClient, duration: Double?) async {
        let started = ContinuousClock.now
        var second = 0
        while !Task.isCancelled {
            second += 1
            let next = started.advanced(by: .seconds(second))
            try? await Task.sleep(until: next, clock: .continuous)
            if Task.isCancelled { return }
            if let status = try? await client.status() {
                emit(line(status, elapsed: second))
            } else {
                emit("t=\(second)s daemon not answering")
            }
            if let duration, Double(second) >= duration { return }
        }
    }

    private static func emit(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    /// `t=12s running used 123456/150000 (82.3%) reserved 9000 in_flight 5 waiting 2 workers 8`
    static func line(_ status: Status, elapsed: Int) -> String {
        let percent = status.limit > 0 ? Double(status.used) * 100 / Double(status.limit) : 0
        var text = "t=\(elapsed)s \(status.state.rawValue) used \(status.used)/\(status.limit) "
        text += String(format: "(%.1f%%)", percent)
        text += " reserved \(status.reserved) in_flight \(status.inFlight) waiting \(status.waiting)"
        text += " workers \(status.workers.filter(\.connected).count)"
        if let remaining = status.cooldownRemainingMs { text += " cooldown \(remaining)ms" }
        return text
    }
}
