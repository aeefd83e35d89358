import Testing
@testable import TokenGateCore

@Suite("Unseen spending")
struct UnseenSpendingTests {
    @Test("readings in one send margin are kept in bounded memory, and never count less than each of them")
    func recentReadingsStayBounded() throws {
        var gate = makeGate(limit: 1_000_000, window: 60, threshold: 1, sendMargin: 1)
        _ = try #require(gate.acquire(worker: "a", estimate: estimate(500_000), now: at(0)).grant)
        // 100 readings 5 ms apart, each seeing less used but fully replenished later: none dominates another.
        var expected: [(upper: Int64, reset: Instant)] = []
        for step in 0..<100 {
            let now = at(0.001 + Double(step) * 0.005)
            let used = Int64(600_000 - step * 1_000)
            let reset = at(60 + Double(step))
            gate.observe(
                ProviderObservation(kind: .tokens, limit: 1_000_000, remaining: 1_000_000 - used, reset: reset, observedAt: now),
                now: now
            )
            expected.append((used, reset))
        }
        let unseen = try #require(gate.external[.tokens])
        #expect(unseen.recent.count <= UnseenSpending.recentCapacity)
        let last = at(0.001 + 99 * 0.005)
        for probe in [last, at(10), at(59), at(100)] {
            for (index, reading) in expected.enumerated() {
                let taken = at(0.001 + Double(index) * 0.005)
                let alone = ExternalUsage(amount: reading.upper, observedAt: taken, fadesOutAt: reading.reset)
                #expect(unseen.amount(at: probe) >= alone.amount(at: probe))
            }
        }
    }
}
