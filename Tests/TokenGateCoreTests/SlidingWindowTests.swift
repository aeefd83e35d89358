import Testing
@testable import TokenGateCore

@Suite("Sliding window")
struct SlidingWindowTests {
    @Test("usage at t counts until t + window - 1 ns and not at t + window")
    func exactBoundary() {
        var window = SlidingWindow(length: .seconds(60))
        let t = Instant(nanoseconds: 12_345_678_901)
        window.record(BudgetAmounts(tokens: 500), at: t)
        #expect(window.total(at: t + .seconds(60) - TimeSpan(nanoseconds: 1)).tokens == 500)
        #expect(window.total(at: t + .seconds(60)).tokens == 0)
    }

    @Test("coalesced records never leave before their own expiry")
    func coalescedRecordsNeverLeaveEarly() {
        var window = SlidingWindow(length: .seconds(10), slotsPerWindow: 10)
        window.record(BudgetAmounts(tokens: 1), at: at(1.0))
        window.record(BudgetAmounts(tokens: 2), at: at(1.5))
        // Both share the slot [1, 2): the earlier one counts until the later one leaves.
        #expect(window.total(at: at(10.999)).tokens == 3)
        #expect(window.total(at: at(11.4)).tokens == 3)
        #expect(window.total(at: at(11.5)).tokens == 0)
    }

    @Test("a million reports inside one window keep the slot count bounded")
    func millionReportsStayBounded() {
        var window = SlidingWindow(length: .seconds(60), slotsPerWindow: 1000)
        var maxSlots = 0
        for i in 0..<1_000_000 {
            // Spread over 59.9 s: every report is still inside the window at the end.
            window.record(BudgetAmounts(tokens: 1, requests: 1), at: Instant(nanoseconds: Int64(i) * 59_900))
            maxSlots = max(maxSlots, window.slotCount)
        }
        #expect(maxSlots <= 1002)
        #expect(window.total.tokens == 1_000_000)
        #expect(window.total.requests == 1_000_000)
    }

    @Test("steady reports over many windows keep the slot count bounded and the total exact")
    func steadyReportsOverManyWindows() {
        var window = SlidingWindow(length: .seconds(2), slotsPerWindow: 100)
        for i in 0..<200_000 {
            window.record(BudgetAmounts(tokens: 3), at: Instant(nanoseconds: Int64(i) * 100_000))
            #expect(window.slotCount <= 102)
        }
        // Reports every 0.1 ms over the last 2 s: 20,000 of them, give or take one slot of records.
        let total = window.total(at: Instant(nanoseconds: 199_999 * 100_000)).tokens
        #expect(total >= 60_000 && total <= 60_000 + 3 * 200 + 3)
    }

    @Test("a backdated record counts until its own instant + window, in its own slot")
    func backdatedRecord() {
        var window = SlidingWindow(length: .seconds(10), slotsPerWindow: 10)
        window.record(BudgetAmounts(tokens: 5), at: at(5))
        window.record(BudgetAmounts(tokens: 7), at: at(3), now: at(6))
        window.record(BudgetAmounts(tokens: 1), at: at(3.5), now: at(6))
        window.record(BudgetAmounts(tokens: 100), at: at(-5), now: at(6))  // already out of the window
        #expect(window.slotCount == 2)
        #expect(window.total(at: at(12.9)).tokens == 13)
        #expect(window.total(at: at(13.5)).tokens == 5)
        #expect(window.total(at: at(15)).tokens == 0)
    }

    @Test("enormous amounts saturate instead of trapping and recover as they leave")
    func saturation() {
        var window = SlidingWindow(length: .seconds(10))
        window.record(BudgetAmounts(tokens: .max - 5), at: at(1))
        window.record(BudgetAmounts(tokens: .max - 5), at: at(2))
        window.record(BudgetAmounts(tokens: 9), at: at(3))
        #expect(window.total.tokens == .max)
        #expect(window.total(at: at(11.5)).tokens == .max)
        #expect(window.total(at: at(12.5)).tokens == 9)
    }

    @Test("the instant a total falls to an allowance")
    func instantWhenAtMost() {
        var window = SlidingWindow(length: .seconds(10))
        window.record(BudgetAmounts(tokens: 100), at: at(1))
        window.record(BudgetAmounts(tokens: 200), at: at(2))
        window.record(BudgetAmounts(tokens: 300), at: at(3))
        #expect(window.instant(whenAtMost: 600, of: .tokens) == nil)
        #expect(window.instant(whenAtMost: 500, of: .tokens) == at(11))
        #expect(window.instant(whenAtMost: 300, of: .tokens) == at(12))
        #expect(window.instant(whenAtMost: 0, of: .tokens) == at(13))
        #expect(window.emptiesAt == at(13))
    }
}
