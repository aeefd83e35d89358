import Testing
@testable import TokenGateCore

@Suite("Wake-up instants")
struct WakeUpTests {
    @Test("the head becomes admissible exactly when enough usage slides out")
    func headAdmissibleInstant() throws {
        var gate = makeGate(limit: 1000, window: 10)
        gate.settle(ticket: nil, usage: usage(300), worker: "a", now: at(1))
        gate.settle(ticket: nil, usage: usage(300), worker: "a", now: at(2))
        gate.settle(ticket: nil, usage: usage(300), worker: "a", now: at(3))
        // used 900 of capacity 900: a 400-token request needs 600 + 400 <= 900, so two slots must leave.
        let waiter = try #require(gate.acquire(worker: "b", estimate: estimate(400), now: at(4)).waiter)
        #expect(gate.nextWakeUp(now: at(4)) == at(12))
        #expect(gate.snapshot(now: at(4)).head?.admissibleAt == at(12))
        gate.advance(to: at(12) - TimeSpan(nanoseconds: 1))
        #expect(gate.takeOutcomes().isEmpty)
        gate.advance(to: at(12))
        let grant = try #require(gate.takeOutcomes().first?.grant)
        #expect(grant.waiter == waiter)
        #expect(grant.waited == .seconds(8))
    }

    @Test("a reservation keeping the head out slides out at grant + window + send margin, reported or not")
    func reservationsSlideOut() throws {
        var gate = makeGate(limit: 1000, window: 10, sendMargin: 0.5)
        let held = try #require(gate.acquire(worker: "a", estimate: estimate(800), now: at(0)).grant)
        let waiter = try #require(gate.acquire(worker: "b", estimate: estimate(200), now: at(0)).waiter)
        #expect(gate.nextWakeUp(now: at(0)) == at(10.5))
        #expect(gate.snapshot(now: at(0)).head?.admissibleAt == at(10.5))
        gate.advance(to: at(10.5) - TimeSpan(nanoseconds: 1))
        #expect(gate.takeOutcomes().isEmpty)
        gate.advance(to: at(10.5))
        #expect(gate.takeOutcomes().compactMap(\.grant).map(\.waiter) == [waiter])
        // The slid-out ticket is still open for its report, whose usage lies outside the window.
        #expect(gate.snapshot(now: at(10.5)).inFlight == 2)
        #expect(gate.settle(ticket: held.ticket, usage: usage(900), now: at(11)) == .settled)
        #expect(gate.used(now: at(11)).tokens == 0)
    }

    @Test("with unseen spending the head wakes when enough usage slides out, not only when the provider's figure fades")
    func unseenSpendingAndDepartures() throws {
        var gate = makeGate(limit: 10_000, window: 10)
        gate.settle(ticket: nil, usage: usage(5000), worker: "a", now: at(0))
        // The provider counts 8,000 spent: 3,000 unseen, fading to nothing at 100 s.
        gate.observe(ProviderObservation(kind: .tokens, limit: 10_000, remaining: 2000, reset: at(100), observedAt: at(0)), now: at(0))
        // 5,000 + 3,000 + 3,000 > 9,000; at 10 s the usage leaves and 2,700 unseen + 3,000 fit.
        let waiter = try #require(gate.acquire(worker: "b", estimate: estimate(3000), now: at(0)).waiter)
        #expect(gate.nextWakeUp(now: at(0)) == at(10))
        gate.advance(to: at(10))
        #expect(gate.takeOutcomes().compactMap(\.grant).map(\.waiter) == [waiter])
    }

    @Test("with unseen spending and a full window the head wakes when the fade makes room, between two departures")
    func unseenSpendingBetweenDepartures() throws {
        var gate = makeGate(limit: 10_000, window: 10)
        gate.settle(ticket: nil, usage: usage(1000), worker: "a", now: at(50))
        gate.settle(ticket: nil, usage: usage(1000), worker: "a", now: at(58))
        // The provider counts 8,000 spent at 58 s: 6,000 unseen, fading to nothing at 100 s.
        gate.observe(ProviderObservation(kind: .tokens, limit: 10_000, remaining: 2000, reset: at(100), observedAt: at(58)), now: at(58))
        // 2,000 + 6,000 + 3,000 > 9,000. Before 60 s it would need the unseen figure at 4,000 (at
        // 72 s); once the first 1,000 left at 60 s, at 5,000: a sixth of the 42 s, at 65 s, before
        // the second leaves at 68 s.
        let waiter = try #require(gate.acquire(worker: "b", estimate: estimate(3000), now: at(58)).waiter)
        let wake = try #require(gate.nextWakeUp(now: at(58)))
        #expect(wake >= at(65) && wake < at(65.001), "\(wake)")
        gate.advance(to: wake - TimeSpan(nanoseconds: 1_000_000))
        #expect(gate.takeOutcomes().isEmpty)
        gate.advance(to: wake)
        #expect(gate.takeOutcomes().compactMap(\.grant).map(\.waiter) == [waiter])
    }

    @Test("nothing queued and nothing held: no wake-up")
    func idle() {
        var gate = makeGate()
        gate.settle(ticket: nil, usage: usage(5), worker: "a", now: at(0))
        #expect(gate.nextWakeUp(now: at(0)) == nil)
    }

    @Test("the earliest of cooldown end, lease and deadline wins")
    func earliestWins() {
        var gate = makeGate(limit: 1000, window: 30, lease: 20)
        _ = gate.acquire(worker: "a", estimate: estimate(900), now: at(0))
        _ = gate.acquire(worker: "b", estimate: estimate(10), deadline: at(15), now: at(0))
        #expect(gate.nextWakeUp(now: at(0)) == at(15))
        gate.throttle(until: at(5), now: at(1))
        #expect(gate.nextWakeUp(now: at(1)) == at(5))
    }

    @Test("a burst across the window boundary is not let through twice")
    func burstAcrossBoundary() {
        // A fixed 10 s window would allow 900 at 9.9 s and 900 more at 10.1 s.
        var gate = makeGate(limit: 1000, window: 10)
        var grantedTokens: Int64 = 0
        for _ in 0..<9 {
            if let grant = gate.acquire(worker: "a", estimate: estimate(100), now: at(9.9)).grant {
                gate.settle(ticket: grant.ticket, usage: usage(100), now: at(9.9))
                grantedTokens += 100
            }
        }
        #expect(grantedTokens == 900)
        var secondBurst = 0
        for _ in 0..<9 where gate.acquire(worker: "b", estimate: estimate(100), now: at(10.1)).grant != nil {
            secondBurst += 1
        }
        #expect(secondBurst == 0)
        #expect(gate.nextWakeUp(now: at(10.1)) == at(19.9))
        gate.advance(to: at(19.9))
        #expect(gate.takeOutcomes().count == 9)
    }
}
