import Testing
@testable import TokenGateCore

@Suite("Seed policy")
struct SeedPolicyTests {
    @Test("no reservations: workers pass the check together and overshoot")
    func overshootsWithoutReservations() {
        var gate = makeGate(limit: 1000, window: 60, policy: .seedOriginal)
        var granted = 0
        for worker in 0..<10 where gate.acquire(worker: "w\(worker)", estimate: estimate(500), now: at(0)).grant != nil {
            granted += 1
        }
        #expect(granted == 10)
        #expect(gate.reserved.tokens == 0)
    }

    @Test("admits while used < 0.8 x limit, whatever the estimate")
    func admitsUnderEightyPercent() {
        var gate = makeGate(limit: 1000, window: 60, policy: .seedOriginal)
        gate.settle(ticket: nil, usage: usage(799), worker: "a", now: at(0))
        #expect(gate.acquire(worker: "b", estimate: estimate(10_000), now: at(0)).grant != nil)
        gate.settle(ticket: nil, usage: usage(1), worker: "a", now: at(0))
        #expect(gate.acquire(worker: "c", estimate: estimate(1), now: at(0)).grant == nil)
    }

    @Test("waiters re-check every 2 s on their own phase and pass all at once, late")
    func pollingWaiters() {
        var gate = makeGate(limit: 1000, window: 10, policy: .seedOriginal)
        gate.settle(ticket: nil, usage: usage(800), worker: "a", now: at(0))
        _ = gate.acquire(worker: "b", now: at(0.5))
        _ = gate.acquire(worker: "c", now: at(1.0))
        #expect(gate.nextWakeUp(now: at(1)) == at(2.5))
        // Usage leaves at 10 s; b re-checks at 10.5 and c at 11.0: up to 2 s late, not in FIFO order
        // by capacity, and a newcomer at 10.2 jumps the queue.
        gate.advance(to: at(10))
        #expect(gate.takeOutcomes().isEmpty)
        #expect(gate.acquire(worker: "d", now: at(10.2)).grant != nil)
        gate.advance(to: at(10.5))
        #expect(gate.takeOutcomes().compactMap(\.grant).map(\.worker) == ["b"])
        gate.advance(to: at(11))
        #expect(gate.takeOutcomes().compactMap(\.grant).map(\.worker) == ["c"])
    }
}
