import Testing
@testable import TokenGateCore

@Suite("Admission decided elsewhere")
struct AdmissionElsewhereTests {
    @Test("an acquire only queues; a grant decided elsewhere reserves and goes to the outcomes")
    func grantsOnlyWhenTold() throws {
        var gate = makeGate(limit: 1000, threshold: 1)
        gate.decideAdmissionElsewhere()
        let decision = gate.acquire(worker: "w", estimate: estimate(300), now: at(0))
        let waiter = try #require(decision.waiter)
        #expect(gate.acquire(worker: "w", estimate: estimate(300), now: at(0)).grant == nil)
        #expect(gate.demand(of: waiter)?.tokens == 300)
        gate.advance(to: at(5))
        #expect(gate.takeOutcomes().isEmpty)
        #expect(gate.nextWakeUp(now: at(5)) == nil)
        let granted = gate.grantDecidedElsewhere(waiter, now: at(5))
        let grant = try #require(granted)
        #expect(grant.reserved.tokens == 300)
        #expect(grant.waited == .seconds(5))
        #expect(gate.takeOutcomes().compactMap(\.grant) == [grant])
        #expect(gate.reserved.tokens == 300)
        #expect(gate.grantDecidedElsewhere(waiter, now: at(5)) == nil)
    }

    @Test("a grant decided elsewhere passes the gate's own full window, pause and cooldown")
    func overridesTheLocalWindow() throws {
        var gate = makeGate(limit: 100, threshold: 1)
        gate.decideAdmissionElsewhere()
        gate.settle(ticket: nil, usage: usage(100), worker: "past", now: at(0))
        gate.pause(now: at(0))
        _ = gate.throttle(until: at(20), now: at(0))
        let decision = gate.acquire(worker: "w", estimate: estimate(50), now: at(1))
        let waiter = try #require(decision.waiter)
        #expect(gate.grantDecidedElsewhere(waiter, now: at(1)) != nil)
    }

    @Test("a queued waiter still times out at its deadline")
    func deadlines() throws {
        var gate = makeGate()
        gate.decideAdmissionElsewhere()
        let decision = gate.acquire(worker: "w", estimate: estimate(10), deadline: at(2), now: at(0))
        let waiter = try #require(decision.waiter)
        #expect(gate.nextWakeUp(now: at(0)) == at(2))
        gate.advance(to: at(2))
        #expect(gate.takeOutcomes() == [.timedOut(waiter)])
        #expect(gate.demand(of: waiter) == nil)
    }
}
