import Testing
@testable import TokenGateCore

/// Accounting that follows the provider: a grant's place on the timeline, the send margin, and
/// the token bucket.
@Suite("Timeline")
struct TimelineTests {
    @Test("a report replaces the reservation at the grant's place; it leaves at grant + window + send margin")
    func reportAtGrantPlace() throws {
        var gate = makeGate(limit: 1000, window: 10, sendMargin: 1)
        let grant = try #require(gate.acquire(worker: "a", estimate: estimate(500), now: at(0)).grant)
        gate.settle(ticket: grant.ticket, usage: usage(400), now: at(4))
        #expect(gate.reserved.tokens == 0)
        #expect(gate.used(now: at(10.999)).tokens == 400)
        #expect(gate.used(now: at(11)).tokens == 0)
    }

    @Test("usage reported without a ticket counts from its arrival for one window")
    func ticketlessFromArrival() {
        var gate = makeGate(limit: 1000, window: 10, sendMargin: 1)
        gate.settle(ticket: nil, usage: usage(300), worker: "a", now: at(5))
        #expect(gate.used(now: at(5)).tokens == 300)
        #expect(gate.used(now: at(14.999)).tokens == 300)
        #expect(gate.used(now: at(15)).tokens == 0)
    }

    @Test("the input budget counts cache writes, and cache reads only when told to")
    func inputCountsCacheWrites() throws {
        var gate = makeGate(limit: 100_000, inputLimit: 10_000)
        gate.settle(ticket: nil, usage: usage(100, 50, cacheCreation: 1_000, cacheRead: 5_000), worker: "a", now: at(0))
        let used = gate.used(now: at(0))
        #expect(used.input == 1_100)
        #expect(used.output == 50)
        #expect(used.tokens == 1_150)
        let counting = try Usage(input: 100, output: 50, cacheCreation: 1_000, cacheRead: 5_000).amounts(countingCacheRead: true)
        #expect(counting.input == 6_100 && counting.tokens == 6_150)
    }

    @Test("a negative send margin is refused")
    func marginBound() {
        #expect(throws: ConfigurationError.invalidSendMargin(-1)) {
            try GateConfiguration(tokenLimit: 1000, window: .seconds(10), sendMargin: .seconds(-1))
        }
    }

    // MARK: Token bucket

    @Test("token bucket: capacity comes back continuously from grant + send margin, and the head wakes exactly then")
    func bucketRefillsContinuously() throws {
        // Capacity 1,000 (threshold 1) refilled at 100 per second, after a 1 s send margin.
        var gate = makeGate(limit: 1000, window: 10, threshold: 1, sendMargin: 1, algorithm: .tokenBucket)
        _ = try #require(gate.acquire(worker: "a", estimate: estimate(1000), now: at(0)).grant)
        let waiter = try #require(gate.acquire(worker: "b", estimate: estimate(250), now: at(0)).waiter)
        // Drains from 1 s at 100/s: 250 are back at 3.5 s (a sliding window would wait to 11 s).
        #expect(gate.nextWakeUp(now: at(0)) == at(3.5))
        gate.advance(to: at(3.499))
        #expect(gate.takeOutcomes().isEmpty)
        gate.advance(to: at(3.5))
        #expect(gate.takeOutcomes().compactMap(\.grant).map(\.waiter) == [waiter])
        let tokens = try #require(gate.snapshot(now: at(3.5)).budget(.tokens))
        #expect(tokens.used + tokens.reserved == 1000)
    }

    @Test("token bucket: a report below the reservation gives back only what has not drained; above it counts in full")
    func bucketReports() throws {
        var gate = makeGate(limit: 1000, window: 10, threshold: 1, sendMargin: 0, algorithm: .tokenBucket)
        let small = try #require(gate.acquire(worker: "a", estimate: estimate(600), now: at(0)).grant)
        let large = try #require(gate.acquire(worker: "a", estimate: estimate(100), now: at(0)).grant)
        // At 2 s, 200 have drained (from the first charge placed). 500 of 600 remain.
        gate.settle(ticket: small.ticket, usage: usage(450), now: at(2))
        // 450 cost, 200 of the reservation already drained: 250 counts, plus 100 still reserved.
        #expect(gate.used(now: at(2)).tokens + gate.reserved.tokens == 350)
        gate.settle(ticket: large.ticket, usage: usage(400), now: at(2))
        #expect(gate.used(now: at(2)).tokens == 650)
        #expect(gate.reserved.tokens == 0)
    }

    @Test("token bucket: a request above the capacity goes only into a full bucket")
    func bucketOversized() throws {
        var gate = makeGate(limit: 1000, window: 10, threshold: 0.5, sendMargin: 0, algorithm: .tokenBucket)
        gate.settle(ticket: nil, usage: usage(100), worker: "a", now: at(0))
        // Capacity 500 refilled at 50/s: 100 drain in 2 s.
        let waiter = try #require(gate.acquire(worker: "b", estimate: estimate(800), now: at(0)).waiter)
        #expect(gate.snapshot(now: at(0)).head?.oversized == true)
        #expect(gate.nextWakeUp(now: at(0)) == at(2))
        gate.advance(to: at(2))
        #expect(gate.takeOutcomes().compactMap(\.grant).map(\.waiter) == [waiter])
    }

    @Test("token bucket: pause, release and a withdrawn owner behave as on the window")
    func bucketControls() throws {
        var gate = makeGate(limit: 1000, window: 10, threshold: 1, sendMargin: 0, algorithm: .tokenBucket)
        let grant = try #require(gate.acquire(worker: "a", estimate: estimate(900), owner: OwnerID(rawValue: 1), now: at(0)).grant)
        gate.pause(now: at(0))
        let waiter = try #require(gate.acquire(worker: "b", estimate: estimate(500), now: at(0)).waiter)
        let released = gate.release(ticket: grant.ticket, now: at(0))
        #expect(released)
        #expect(gate.takeOutcomes().isEmpty, "paused: the waiter keeps its place")
        gate.resume(now: at(0))
        #expect(gate.takeOutcomes().compactMap(\.grant).map(\.waiter) == [waiter])
        #expect(gate.reserved.tokens == 500)
    }

    @Test("token bucket: memory stays bounded under a steady stream of reports")
    func bucketBounded() {
        var gate = makeGate(limit: 1_000_000, window: 10, threshold: 1, sendMargin: 1, algorithm: .tokenBucket)
        var now = at(0)
        for _ in 0..<50_000 {
            now = now + .milliseconds(2)
            gate.settle(ticket: nil, usage: usage(150), worker: "a", now: now)
        }
        // 1000 slots per 11 s of timeline, and what has drained is gone.
        #expect(gate.windowSlotCount <= 1_002)
        #expect(gate.used(now: now).tokens <= 1_000_000)
    }
}
