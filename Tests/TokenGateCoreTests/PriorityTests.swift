import Testing
@testable import TokenGateCore

/// Priorities, the high reserve, aging and per-worker pause and caps, in virtual time.
@Suite("Priorities and per-worker control")
struct PriorityTests {
    /// A gate whose window is full until `at(10)`: 900 of 900 used at 0 (limit 1000, threshold 0.9).
    func fullGate(aging: Double? = nil, reserve: Double = 0) -> Gate {
        var gate = makeGate(limit: 1000, window: 10, highReserve: reserve, priorityAging: aging)
        gate.settle(ticket: nil, usage: usage(900), worker: "filler", now: at(0))
        return gate
    }

    @Test("high before normal before low, first come first served within one priority")
    func order() throws {
        var gate = fullGate(aging: 1000)
        let low = try #require(gate.acquire(worker: "l", estimate: estimate(100), priority: .low, now: at(1)).waiter)
        let normal1 = try #require(gate.acquire(worker: "n", estimate: estimate(100), now: at(2)).waiter)
        let high = try #require(gate.acquire(worker: "h", estimate: estimate(100), priority: .high, now: at(3)).waiter)
        let normal2 = try #require(gate.acquire(worker: "n", estimate: estimate(100), now: at(4)).waiter)
        #expect(gate.snapshot(now: at(4)).waitingByPriority == [.high: 1, .normal: 2, .low: 1])
        #expect(gate.snapshot(now: at(4)).head?.worker == "h")
        gate.advance(to: at(10))
        #expect(gate.takeOutcomes().compactMap(\.grant).map(\.waiter) == [high, normal1, normal2, low])
    }

    @Test("the first waiter in order blocks those behind it, whatever their size")
    func headOfLine() throws {
        var gate = makeGate(limit: 1000, window: 10)
        gate.settle(ticket: nil, usage: usage(500), worker: "filler", now: at(0))
        let big = try #require(gate.acquire(worker: "h", estimate: estimate(600), priority: .high, now: at(1)).waiter)
        // 100 would fit (500 + 100 <= 900) but waits behind the high 600.
        let small = try #require(gate.acquire(worker: "n", estimate: estimate(100), now: at(1)).waiter)
        #expect(gate.takeOutcomes().isEmpty)
        gate.advance(to: at(10))
        #expect(gate.takeOutcomes().compactMap(\.grant).map(\.waiter) == [big, small])
    }

    @Test("a newcomer goes at once past waiters of a lower priority when it fits")
    func newcomerPassesLowerPriorities() throws {
        var gate = makeGate(limit: 1000, window: 10)
        gate.settle(ticket: nil, usage: usage(500), worker: "filler", now: at(0))
        _ = try #require(gate.acquire(worker: "l", estimate: estimate(600), priority: .low, now: at(1)).waiter)
        #expect(gate.acquire(worker: "n", estimate: estimate(300), now: at(1)).grant != nil)
        // Another low one queues behind the first low: first come first served.
        #expect(gate.acquire(worker: "l2", estimate: estimate(50), priority: .low, now: at(1)).waiter != nil)
    }

    @Test("no starvation: under sustained high demand a low waiter is granted within 2 x aging + window")
    func noStarvation() throws {
        let bound = 2 * 5.0 + 10.0
        let wait = try lowWaitUnderHighFlood(aging: 5, horizon: 60)
        let granted = try #require(wait, "the low waiter starved")
        #expect(granted.passedBy > 0, "high demand did pass it before it aged")
        #expect(granted.waited <= .seconds(bound), "waited \(granted.waited), bound \(bound) s")
        // Without aging it starves for the whole horizon: the bound comes from aging.
        #expect(try lowWaitUnderHighFlood(aging: 0, horizon: 60) == nil)
    }

    /// A low waiter queued into a full window, then a high acquire of 300 every 0.5 s for
    /// `horizon` seconds (three times what the window takes), each settled at its estimate: when
    /// the low one is granted and how many highs went before it; nil when it never is.
    private func lowWaitUnderHighFlood(aging: Double, horizon: Double) throws -> (waited: TimeSpan, passedBy: Int)? {
        var gate = fullGate(aging: aging)
        let low = try #require(gate.acquire(worker: "batch", estimate: estimate(300), priority: .low, now: at(1)).waiter)
        var highsGranted = 0
        var now = at(1)
        func settle(_ grants: [Grant]) -> (waited: TimeSpan, passedBy: Int)? {
            for grant in grants {
                if grant.waiter == low { return (grant.waited, highsGranted) }
                highsGranted += 1
                gate.settle(ticket: grant.ticket, usage: usage(grant.reserved.tokens), now: now)
            }
            return nil
        }
        while now < at(1 + horizon) {
            now = now + .milliseconds(500)
            gate.advance(to: now)
            if let found = settle(gate.takeOutcomes().compactMap(\.grant)) { return found }
            let decision = gate.acquire(worker: "interactive", estimate: estimate(300), priority: .high, now: now)
            if let found = settle(gate.takeOutcomes().compactMap(\.grant) + [decision.grant].compactMap { $0 }) {
                return found
            }
        }
        return nil
    }

    @Test("the high reserve: below high priority a grant fits only within (1 - reserve) x capacity")
    func highReserve() throws {
        var gate = makeGate(limit: 1000, window: 10, highReserve: 0.5)
        gate.settle(ticket: nil, usage: usage(400), worker: "filler", now: at(0))
        // Capacity 900; normal and low may fill 450.
        #expect(gate.acquire(worker: "n", estimate: estimate(100), now: at(1)).waiter != nil)
        #expect(gate.acquire(worker: "h", estimate: estimate(400), priority: .high, now: at(1)).grant != nil)
        #expect(gate.acquire(worker: "h", estimate: estimate(200), priority: .high, now: at(1)).waiter != nil)
        #expect(gate.snapshot(now: at(1)).head?.priority == .high)
        #expect(gate.configuration.capacity(of: .tokens, for: .low) == 450)
        var configuration = gate.configuration
        #expect(throws: ConfigurationError.invalidHighReserve(1)) { try configuration.setHighReserve(1) }
        #expect(throws: ConfigurationError.invalidHighReserve(-0.1)) { try configuration.setHighReserve(-0.1) }
    }

    @Test("a paused worker's waiters keep their place but are passed over; its tickets finish")
    func pausedWorker() throws {
        var gate = makeGate(limit: 1000, window: 10)
        let held = try #require(gate.acquire(worker: "a", estimate: estimate(100), now: at(0)).grant)
        gate.pause(worker: "a", now: at(0))
        let first = try #require(gate.acquire(worker: "a", estimate: estimate(100), now: at(1)).waiter)
        let other = gate.acquire(worker: "b", estimate: estimate(100), now: at(1))
        #expect(other.grant != nil, "b passes the paused worker's waiter")
        #expect(gate.snapshot(now: at(1)).workers.first { $0.worker == "a" }?.paused == true)
        #expect(gate.settle(ticket: held.ticket, usage: usage(80), now: at(2)) == .settled)
        #expect(gate.takeOutcomes().isEmpty)
        #expect(gate.nextWakeUp(now: at(2)) == nil || gate.nextWakeUp(now: at(2)).map { $0 > at(2) } == true)
        gate.resume(worker: "a", now: at(3))
        #expect(gate.takeOutcomes().compactMap(\.grant).map(\.waiter) == [first])
    }

    @Test("a capped worker stays within cap x limit; others pass it while it waits at its cap")
    func cappedWorker() throws {
        var gate = makeGate(limit: 1000, window: 10)
        try gate.setCap(0.3, worker: "a", now: at(0))
        let held = try #require(gate.acquire(worker: "a", estimate: estimate(250), now: at(0)).grant)
        let capped = try #require(gate.acquire(worker: "a", estimate: estimate(100), now: at(1)).waiter)
        #expect(gate.acquire(worker: "b", estimate: estimate(100), now: at(1)).grant != nil)
        #expect(gate.snapshot(now: at(1)).head == nil, "the only waiter is held at its cap")
        #expect(gate.snapshot(now: at(1)).workers.first { $0.worker == "a" }?.cap == 0.3)
        gate.release(ticket: held.ticket, now: at(2))
        #expect(gate.takeOutcomes().compactMap(\.grant).map(\.waiter) == [capped])
        #expect(throws: ConfigurationError.invalidCap(0)) { try gate.setCap(0, worker: "a", now: at(2)) }
        #expect(throws: ConfigurationError.invalidCap(1.5)) { try gate.setCap(1.5, worker: "a", now: at(2)) }
    }

    @Test("a worker at its cap is woken when its usage slides out of the window")
    func capRelief() throws {
        var gate = makeGate(limit: 1000, window: 10)
        try gate.setCap(0.3, worker: "a", now: at(0))
        gate.settle(ticket: nil, usage: usage(250), worker: "a", now: at(0))
        let waiter = try #require(gate.acquire(worker: "a", estimate: estimate(100), now: at(1)).waiter)
        #expect(gate.nextWakeUp(now: at(1)) == at(10))
        gate.advance(to: at(10))
        #expect(gate.takeOutcomes().compactMap(\.grant).map(\.waiter) == [waiter])
        try gate.setCap(nil, worker: "a", now: at(11))
        #expect(gate.cap(of: "a") == nil)
    }

    @Test("the snapshot lists a worker's tickets (oldest first) and waiters with their priorities")
    func workerLists() throws {
        var gate = makeGate(limit: 1000, window: 10)
        let first = try #require(gate.acquire(worker: "a", estimate: estimate(400), now: at(0)).grant)
        _ = try #require(gate.acquire(worker: "a", estimate: estimate(400), now: at(1)).grant)
        _ = try #require(gate.acquire(worker: "a", estimate: estimate(300), priority: .low, now: at(2)).waiter)
        let worker = try #require(gate.snapshot(now: at(3)).workers.first { $0.worker == "a" })
        #expect(worker.tickets.map(\.ticket).first == first.ticket)
        #expect(worker.tickets.map(\.age) == [.seconds(3), .seconds(2)])
        #expect(worker.tickets.map(\.reserved) == [400, 400])
        #expect(worker.waiters == [WaiterSnapshot(priority: .low, estimate: 300, waited: .seconds(1))])
        #expect(worker.oldestGrant == .seconds(3))
    }
}
