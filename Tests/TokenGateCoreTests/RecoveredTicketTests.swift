import Testing
@testable import TokenGateCore

/// Tickets a previous daemon granted, held again after a restart (`restoreTicket`).
@Suite("Recovered tickets")
struct RecoveredTicketTests {
    @Test("a restored ticket takes its capacity until settled; its usage then counts from its grant")
    func heldUntilSettled() throws {
        var gate = makeGate(limit: 1000, window: 10)
        let ticket = gate.restoreTicket(
            worker: "w", reserved: BudgetAmounts(tokens: 600, requests: 1), grantedAt: at(-2), until: at(8), now: at(0)
        )
        #expect(gate.reserved.tokens == 600)
        #expect(gate.acquire(worker: "x", estimate: estimate(301), now: at(0)).grant == nil, "600 + 301 > 900")
        #expect(gate.settle(ticket: ticket, usage: usage(500), now: at(1)) == .settled)
        #expect(gate.used(now: at(1)).tokens == 500)
        // The waiter of 301 fits now (500 + 301 <= 900): its reservation is all that is reserved.
        #expect(gate.takeOutcomes().count == 1)
        #expect(gate.reserved.tokens == 301)
        // Counted from the grant at -2, the usage leaves the window at 8, not at 11.
        gate.advance(to: at(8))
        #expect(gate.used(now: at(8)).tokens == 0)
    }

    @Test("a restored ticket nobody settles is dropped at `until` without a charge")
    func droppedUncharged() {
        var gate = makeGate(limit: 1000, window: 10)
        _ = gate.restoreTicket(
            worker: "w", reserved: BudgetAmounts(tokens: 900, requests: 1), grantedAt: at(-5), until: at(5), now: at(0)
        )
        #expect(gate.nextWakeUp(now: at(0)) == at(5))
        #expect(gate.acquire(worker: "x", estimate: estimate(100), now: at(1)).grant == nil)
        gate.advance(to: at(5))
        #expect(gate.used(now: at(5)).tokens == 0, "nothing charged for the recovered ticket")
        #expect(gate.takeOutcomes().count == 1, "the waiter is granted when the recovered ticket ends")
        #expect(gate.reserved.tokens == 100, "only the waiter's reservation remains")
    }

    @Test("an ordinary ticket past its lease is still charged its reservation")
    func ordinaryLeaseStillCharges() throws {
        var gate = makeGate(limit: 1000, window: 10, lease: 1)
        _ = try #require(gate.acquire(worker: "w", estimate: estimate(300), now: at(0)).grant)
        gate.advance(to: at(1))
        #expect(gate.reserved.tokens == 0)
        #expect(gate.used(now: at(1)).tokens == 300)
    }
}
