import Foundation
import TokenGateTestSupport
import Testing

extension OneAtATime {
    /// The product's central promise in real time: at threshold 1.0, a fleet through the real daemon
    /// takes no 429 from a provider with a hard sliding window that charges each request 0-50 ms after
    /// its grant, and still uses the limit.
    @Suite("A real-time fleet at the whole limit")
    struct FleetAtFullLimitTests {
        @Test("24 connections, 4 windows of 3 s, threshold 1.0, send margin 0.1 s: zero refusals and at least 95 % served")
        func zeroRefusals() async throws {
            let run = try await CommandRun.tokengate(
                [
                    "bench", "fleet", "--clients", "24", "--window", "3", "--duration", "12", "--limit", "60000",
                    "--threshold", "1", "--send-margin", "0.1", "--max-delay-ms", "50", "--provider", "window",
                ],
                timeout: 60)
            #expect(run.status == 0, "\(run)")
            let line = try #require(run.stdoutLines.last(where: { $0.hasPrefix("{") }), "\(run)")
            let figures = try #require(
                try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
            let refusals = try #require(figures["refusals"] as? Int, "\(line)")
            let share = try #require(figures["served_share"] as? Double, "\(line)")
            let grants = try #require(figures["grants"] as? Int, "\(line)")
            #expect(refusals == 0, "\(line)")
            #expect(share >= 0.95, "\(line)")
            #expect(grants > 24, "\(line)")
        }
    }
}
