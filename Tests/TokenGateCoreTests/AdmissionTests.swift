import Testing
@testable import TokenGateCore

@Suite("Admission")
struct AdmissionTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let used: Int64
        let reserved: Int64
        let estimate: Int64
        let granted: Bool
        var testDescription: String { name }
    }

    /// Limit 1000 at threshold 0.9: capacity 900.
    static let cases: [Case] = [
        Case(name: "empty gate", used: 0, reserved: 0, estimate: 100, granted: true),
        Case(name: "exactly at capacity", used: 500, reserved: 300, estimate: 100, granted: true),
        Case(name: "one over capacity", used: 500, reserved: 300, estimate: 101, granted: false),
        Case(name: "used alone too high", used: 850, reserved: 0, estimate: 51, granted: false),
        Case(name: "reservations alone too high", used: 0, reserved: 850, estimate: 51, granted: false),
        Case(name: "zero estimate at capacity", used: 900, reserved: 0, estimate: 0, granted: true),
        Case(name: "zero estimate past capacity", used: 901, reserved: 0, estimate: 0, granted: false),
        Case(name: "oversized on an empty gate", used: 0, reserved: 0, estimate: 5000, granted: true),
        Case(name: "oversized with usage in the window", used: 1, reserved: 0, estimate: 5000, granted: false),
        Case(name: "oversized with a reservation", used: 0, reserved: 1, estimate: 5000, granted: false),
    ]

    @Test("used + reserved + estimate <= threshold x limit", arguments: cases)
    func rule(_ c: Case) {
        var gate = makeGate()
        if c.used > 0 { gate.settle(ticket: nil, usage: usage(c.used), worker: "past", now: at(0)) }
        if c.reserved > 0 {
            #expect(gate.acquire(worker: "holder", estimate: estimate(c.reserved), now: at(0)).grant != nil)
        }
        let decision = gate.acquire(worker: "w", estimate: estimate(c.estimate), now: at(1))
        #expect((decision.grant != nil) == c.granted)
    }

    @Test("every configured budget must fit")
    func everyBudget() {
        // Capacities: tokens 9000, input 900, output 90, requests 2 (0.9 x 3, rounded down).
        var gate = makeGate(limit: 10_000, inputLimit: 1000, outputLimit: 100, requestsLimit: 3)
        #expect(gate.acquire(worker: "a", estimate: estimate(100, input: 50, output: 50), now: at(0)).grant != nil)
        #expect(gate.acquire(worker: "b", estimate: estimate(100, input: 50, output: 41), now: at(0)).grant == nil)
        var gate2 = makeGate(limit: 10_000, inputLimit: 1000, outputLimit: 100, requestsLimit: 3)
        #expect(gate2.acquire(worker: "a", estimate: estimate(100, input: 50, output: 90), now: at(0)).grant != nil)
        #expect(gate2.acquire(worker: "b", estimate: estimate(1, input: 851, output: 0), now: at(0)).grant == nil)
        var gate3 = makeGate(limit: 10_000, inputLimit: 1000, outputLimit: 100, requestsLimit: 3)
        #expect(gate3.acquire(worker: "a", estimate: estimate(1, input: 0, output: 0), now: at(0)).grant != nil)
        #expect(gate3.acquire(worker: "a", estimate: estimate(1, input: 0, output: 0), now: at(0)).grant != nil)
        #expect(gate3.acquire(worker: "a", estimate: estimate(1, input: 0, output: 0), now: at(0)).grant == nil)
    }

    @Test("the tokens budget counts input + output + cache writes, not cache reads")
    func tokensCounting() throws {
        var gate = makeGate()
        gate.settle(ticket: nil, usage: usage(10, 20, cacheCreation: 30, cacheRead: 400), worker: "a", now: at(0))
        let budget = gate.snapshot(now: at(0)).budget(.tokens)
        #expect(budget?.used == 60)
        var counting = Gate(configuration: try GateConfiguration(tokenLimit: 1000, countsCacheRead: true))
        counting.settle(ticket: nil, usage: usage(10, 20, cacheCreation: 30, cacheRead: 400), worker: "a", now: at(0))
        #expect(counting.snapshot(now: at(0)).budget(.tokens)?.used == 460)
    }

    @Test("a report replaces the reservation by the real usage")
    func settleReplacesReservation() throws {
        var gate = makeGate()
        let grant = try #require(gate.acquire(worker: "a", estimate: estimate(400), now: at(0)).grant)
        #expect(gate.reserved.tokens == 400)
        #expect(gate.settle(ticket: grant.ticket, usage: usage(100, 50), now: at(1)) == .settled)
        #expect(gate.reserved.tokens == 0)
        #expect(gate.used(now: at(1)).tokens == 150)
        #expect(gate.settle(ticket: grant.ticket, usage: usage(1), now: at(2)) == .unknownTicket)
        #expect(gate.used(now: at(2)).tokens == 151)
    }

    @Test("a report counts from its grant, as the provider's window does; the seed counts from the report")
    func reportCountsFromGrant() throws {
        var gate = makeGate(limit: 1000, window: 10)
        let grant = try #require(gate.acquire(worker: "a", estimate: estimate(500), now: at(0)).grant)
        gate.settle(ticket: grant.ticket, usage: usage(400), now: at(4))
        #expect(gate.used(now: at(9.999)).tokens == 400)
        #expect(gate.used(now: at(10)).tokens == 0)
        var seed = makeGate(limit: 1000, window: 10, policy: .seedOriginal)
        let seedGrant = try #require(seed.acquire(worker: "a", estimate: estimate(500), now: at(0)).grant)
        seed.settle(ticket: seedGrant.ticket, usage: usage(400), now: at(4))
        #expect(seed.used(now: at(13.999)).tokens == 400)
        #expect(seed.used(now: at(14)).tokens == 0)
    }

    @Test("requests count grants and ticketless reports, not releases")
    func requestsCounting() throws {
        var gate = makeGate(requestsLimit: 100)
        let first = try #require(gate.acquire(worker: "a", estimate: estimate(1), now: at(0)).grant)
        let second = try #require(gate.acquire(worker: "a", estimate: estimate(1), now: at(0)).grant)
        #expect(gate.reserved.requests == 2)
        gate.settle(ticket: first.ticket, usage: usage(1), now: at(0))
        gate.release(ticket: second.ticket, now: at(0))
        gate.settle(ticket: nil, usage: usage(1), worker: "b", now: at(0))
        #expect(gate.used(now: at(0)).requests == 2)
        #expect(gate.reserved.requests == 0)
    }

    @Test("release drops the reservation and records nothing")
    func release() throws {
        var gate = makeGate()
        let grant = try #require(gate.acquire(worker: "a", estimate: estimate(800), now: at(0)).grant)
        #expect(gate.acquire(worker: "b", estimate: estimate(200), now: at(0)).grant == nil)
        let releasedOnce = gate.release(ticket: grant.ticket, now: at(1))
        let releasedTwice = gate.release(ticket: grant.ticket, now: at(1))
        #expect(releasedOnce && !releasedTwice)
        #expect(gate.used(now: at(1)).tokens == 0)
        #expect(gate.takeOutcomes().compactMap(\.grant).map(\.worker) == ["b"])
    }

    @Test("a ticket never settled is charged at its estimate when its lease ends")
    func leaseExpiry() throws {
        var gate = makeGate(window: 100, lease: 30)
        let grant = try #require(gate.acquire(worker: "a", estimate: estimate(300), now: at(0)).grant)
        #expect(gate.nextWakeUp(now: at(1)) == at(30))
        gate.advance(to: at(29.999))
        #expect(gate.reserved.tokens == 300)
        gate.advance(to: at(30))
        #expect(gate.reserved.tokens == 0)
        #expect(gate.used(now: at(30)).tokens == 300)
        #expect(gate.settle(ticket: grant.ticket, usage: usage(10), now: at(31)) == .unknownTicket)
    }

    @Test("an acquire without an estimate uses the worker's mean, else the fleet's, else zero")
    func meanEstimate() throws {
        var gate = makeGate(limit: 100_000)
        let first = try #require(gate.acquire(worker: "a", now: at(0)).grant)
        #expect(first.reserved.tokens == 0)
        gate.settle(ticket: first.ticket, usage: usage(100, 100), now: at(0))
        let fleet = try #require(gate.acquire(worker: "b", now: at(0)).grant)
        #expect(fleet.reserved.tokens == 200)
        gate.settle(ticket: fleet.ticket, usage: usage(1000, 1000), now: at(0))
        let own = try #require(gate.acquire(worker: "a", now: at(0)).grant)
        #expect(own.reserved.tokens == 200)
        let b = try #require(gate.acquire(worker: "b", now: at(0)).grant)
        #expect(b.reserved.tokens == 2000)
    }

    @Test("a total-only estimate splits input and output by the mean, or reserves the whole for each")
    func estimateSplit() throws {
        var gate = makeGate(limit: 100_000, inputLimit: 100_000, outputLimit: 100_000)
        let blind = try #require(gate.acquire(worker: "a", estimate: estimate(500), now: at(0)).grant)
        #expect(blind.reserved == BudgetAmounts(tokens: 500, input: 500, output: 500, requests: 1))
        gate.settle(ticket: blind.ticket, usage: usage(300, 100), now: at(0))
        let split = try #require(gate.acquire(worker: "a", estimate: estimate(800), now: at(0)).grant)
        #expect(split.reserved == BudgetAmounts(tokens: 800, input: 600, output: 200, requests: 1))
    }

    @Test("the queue is FIFO: a small request waits behind a large head")
    func fifo() throws {
        var gate = makeGate()
        let big = try #require(gate.acquire(worker: "a", estimate: estimate(800), now: at(0)).grant)
        #expect(gate.acquire(worker: "b", estimate: estimate(500), now: at(0)).waiter != nil)
        #expect(gate.acquire(worker: "c", estimate: estimate(10), now: at(0)).waiter != nil)
        #expect(gate.takeOutcomes().isEmpty)
        gate.release(ticket: big.ticket, now: at(1))
        #expect(gate.takeOutcomes().compactMap(\.grant).map(\.worker) == ["b", "c"])
    }

    @Test("pause stops grants and keeps waiters in place; resume grants them in order")
    func pauseResume() throws {
        var gate = makeGate()
        gate.pause(now: at(0))
        #expect(gate.snapshot(now: at(0)).state == .paused)
        #expect(gate.acquire(worker: "a", estimate: estimate(10), now: at(0)).waiter != nil)
        #expect(gate.acquire(worker: "b", estimate: estimate(10), now: at(1)).waiter != nil)
        #expect(gate.nextWakeUp(now: at(1)) == nil)
        gate.resume(now: at(2))
        let grants = gate.takeOutcomes().compactMap(\.grant)
        #expect(grants.map(\.worker) == ["a", "b"])
        #expect(grants.map(\.waited) == [.seconds(2), .seconds(1)])
    }

    @Test("a cooldown blocks grants until its end; a later 429 extends it, an earlier one does not")
    func cooldown() {
        var gate = makeGate()
        #expect(gate.throttle(until: at(5), worker: "a", now: at(0)) == at(5))
        #expect(gate.throttle(until: at(3), worker: "b", now: at(1)) == at(5))
        let snapshot = gate.snapshot(now: at(1))
        #expect(snapshot.state == .cooldown)
        #expect(snapshot.cooldownRemaining == .seconds(4))
        #expect(snapshot.cooldownWorker == "a")
        #expect(gate.acquire(worker: "c", estimate: estimate(1), now: at(2)).waiter != nil)
        #expect(gate.throttle(until: at(8), worker: "d", now: at(3)) == at(8))
        #expect(gate.nextWakeUp(now: at(3)) == at(8))
        gate.advance(to: at(7.999))
        #expect(gate.takeOutcomes().isEmpty)
        gate.advance(to: at(8))
        #expect(gate.takeOutcomes().compactMap(\.grant).map(\.worker) == ["c"])
        #expect(gate.snapshot(now: at(8)).state == .running)
    }

    @Test("raising the limit re-evaluates the queue at once")
    func setLimit() throws {
        var gate = makeGate()
        gate.settle(ticket: nil, usage: usage(900), worker: "a", now: at(0))
        #expect(gate.acquire(worker: "b", estimate: estimate(100), now: at(0)).waiter != nil)
        try gate.setLimit(2000, now: at(1))
        #expect(gate.takeOutcomes().compactMap(\.grant).map(\.worker) == ["b"])
        try gate.setThreshold(0.4, now: at(1))
        #expect(gate.acquire(worker: "c", estimate: estimate(1), now: at(1)).waiter != nil)
        do {
            try gate.setThreshold(1.5, now: at(1))
            Issue.record("a threshold of 1.5 must be refused")
        } catch {
            #expect(error == .invalidThreshold(1.5))
        }
        do {
            try gate.setLimit(0, now: at(1))
            Issue.record("a limit of 0 must be refused")
        } catch {
            #expect(error == .invalidLimit(.tokens, 0))
        }
        #expect(gate.configuration.limit(of: .tokens) == 2000)
        #expect(gate.configuration.threshold == 0.4)
    }

    @Test("a deadline expires a waiter with a timeout outcome")
    func deadlines() throws {
        var gate = makeGate()
        gate.settle(ticket: nil, usage: usage(900), worker: "a", now: at(0))
        let late = try #require(gate.acquire(worker: "b", estimate: estimate(100), deadline: at(2), now: at(0)).waiter)
        #expect(gate.nextWakeUp(now: at(0)) == at(2))
        gate.advance(to: at(2))
        #expect(gate.takeOutcomes() == [.timedOut(late)])
        #expect(gate.snapshot(now: at(2)).waiting == 0)
        let instant = gate.acquire(worker: "c", estimate: estimate(100), deadline: at(2), now: at(2))
        guard case .timedOut = instant else {
            Issue.record("an acquire whose deadline has passed must time out at once, got \(instant)")
            return
        }
    }

    @Test("withdrawing an owner drops its waiters and releases its tickets")
    func withdraw() throws {
        var gate = makeGate()
        let connection = OwnerID(rawValue: 7)
        _ = try #require(gate.acquire(worker: "a", estimate: estimate(800), owner: connection, now: at(0)).grant)
        let waiting = try #require(gate.acquire(worker: "a", estimate: estimate(150), owner: connection, now: at(0)).waiter)
        #expect(gate.acquire(worker: "b", estimate: estimate(500), owner: OwnerID(rawValue: 8), now: at(0)).waiter != nil)
        let result = gate.withdraw(owner: connection, now: at(1))
        #expect(result.waitersDropped == [waiting])
        #expect(result.ticketsReleased.count == 1)
        #expect(gate.takeOutcomes().compactMap(\.grant).map(\.worker) == ["b"])
        let a = gate.snapshot(now: at(1)).workers.first { $0.worker == "a" }
        #expect(a?.inFlight == 0 && a?.waiting == 0)
    }

    @Test("an oversized request waits for an empty window, is flagged, and never waits forever")
    func oversized() throws {
        var gate = makeGate(window: 10)
        gate.settle(ticket: nil, usage: usage(100), worker: "a", now: at(0))
        #expect(gate.acquire(worker: "huge", estimate: estimate(5000), now: at(1)).waiter != nil)
        let head = try #require(gate.snapshot(now: at(1)).head)
        #expect(head.oversized)
        #expect(head.admissibleAt == at(10))
        #expect(gate.nextWakeUp(now: at(1)) == at(10))
        gate.advance(to: at(10))
        #expect(gate.takeOutcomes().compactMap(\.grant).map(\.worker) == ["huge"])
    }

    @Test("counts outside 0 ... 2^53-1 are refused with a typed error")
    func countValidation() {
        #expect(throws: CountError.negative(field: "input", value: -1)) { try Usage(input: -1, output: 0) }
        #expect(throws: CountError.tooLarge(field: "output", value: 9_007_199_254_740_992)) {
            try Usage(input: 0, output: 9_007_199_254_740_992)
        }
        #expect(throws: CountError.tooLarge(field: "tokens", value: .max)) { try Estimate(tokens: .max) }
        #expect((try? Usage(input: 9_007_199_254_740_991, output: 9_007_199_254_740_991)) != nil)
    }

    @Test("maximal counts saturate without trapping")
    func maximalCounts() {
        var gate = makeGate(limit: TokenCount.maximum, threshold: 1)
        for _ in 0..<600 {
            gate.settle(ticket: nil, usage: usage(TokenCount.maximum, TokenCount.maximum), worker: "a", now: at(0))
        }
        #expect(gate.used(now: at(0)).tokens == .max)
        #expect(gate.acquire(worker: "b", estimate: estimate(1), now: at(1)).waiter != nil)
        #expect(gate.used(now: at(10)).tokens == 0)
    }

    @Test("the threshold product is taken exactly", arguments: [
        (Int64(1_800_000), 0.9, Int64(1_620_000)), (100, 0.29, 29), (1000, 0.95, 950), (3, 0.9, 2), (1, 1.0, 1),
    ])
    func capacity(limit: Int64, threshold: Double, expected: Int64) throws {
        let configuration = try GateConfiguration(tokenLimit: limit, threshold: threshold)
        #expect(configuration.capacity(of: .tokens) == expected)
    }
}
