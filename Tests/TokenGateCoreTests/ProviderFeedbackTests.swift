import Testing
@testable import TokenGateCore

@Suite("Provider feedback")
struct ProviderFeedbackTests {
    @Test("less room at the provider than in the window is counted as external usage and tightens admission")
    func tightens() {
        var gate = makeGate(limit: 1000, window: 60)
        gate.settle(ticket: nil, usage: usage(100), worker: "a", now: at(0))
        // The provider saw 400 used (600 remaining) where the window holds 100: 300 unseen.
        let unseen = gate.observe(
            ProviderObservation(kind: .tokens, limit: 1000, remaining: 600, reset: at(30), observedAt: at(0)), now: at(0)
        )
        #expect(unseen == 300)
        #expect(gate.acquire(worker: "b", estimate: estimate(500), now: at(0)).grant != nil)
        // 100 used + 500 reserved + 300 external = 900: nothing more fits.
        #expect(gate.acquire(worker: "c", estimate: estimate(1), now: at(0)).waiter != nil)
        #expect(gate.snapshot(now: at(0)).budget(.tokens)?.external == 300)
    }

    @Test("more room at the provider than locally believed adds nothing")
    func moreRoomIsIgnored() {
        var gate = makeGate(limit: 1000, window: 60)
        gate.settle(ticket: nil, usage: usage(500), worker: "a", now: at(0))
        let unseen = gate.observe(
            ProviderObservation(kind: .tokens, limit: 1000, remaining: 900, reset: at(30), observedAt: at(0)), now: at(0)
        )
        #expect(unseen == 0)
        #expect(gate.externalUsage(of: .tokens, at: at(0)) == 0)
    }

    @Test("external usage fades linearly to the reset instant and stops counting after it")
    func fades() {
        var gate = makeGate(limit: 1000, window: 60)
        gate.observe(ProviderObservation(kind: .tokens, limit: 1000, remaining: 200, reset: at(40), observedAt: at(0)), now: at(0))
        #expect(gate.externalUsage(of: .tokens, at: at(0)) == 800)
        #expect(gate.externalUsage(of: .tokens, at: at(10)) == 600)
        #expect(gate.externalUsage(of: .tokens, at: at(39.999)) == 1)
        #expect(gate.externalUsage(of: .tokens, at: at(40)) == 0)
        gate.advance(to: at(41))
        #expect(gate.snapshot(now: at(41)).budget(.tokens)?.external == 0)
    }

    @Test("a waiter blocked by external usage wakes exactly when it has faded enough")
    func wakesAsItFades() throws {
        var gate = makeGate(limit: 1000, window: 60)
        gate.observe(ProviderObservation(kind: .tokens, limit: 1000, remaining: 100, reset: at(90), observedAt: at(0)), now: at(0))
        // 900 external at 0 s fading to 0 at 90 s: a 450 request fits once external <= 450, at 45 s.
        let waiter = try #require(gate.acquire(worker: "a", estimate: estimate(450), now: at(0)).waiter)
        let wake = try #require(gate.nextWakeUp(now: at(0)))
        #expect(wake == at(45))
        gate.advance(to: wake - TimeSpan(nanoseconds: 2_000_000))
        #expect(gate.takeOutcomes().isEmpty)
        gate.advance(to: wake)
        #expect(gate.takeOutcomes().compactMap(\.grant).map(\.waiter) == [waiter])
    }

    @Test("a newer observation raises external usage at once and takes over the fade-out instant")
    func newerRaises() {
        var gate = makeGate(limit: 1000, window: 60)
        gate.observe(ProviderObservation(kind: .tokens, limit: 1000, remaining: 700, reset: at(30), observedAt: at(0)), now: at(0))
        gate.observe(ProviderObservation(kind: .tokens, limit: 1000, remaining: 400, reset: at(61), observedAt: at(1)), now: at(1))
        #expect(gate.externalUsage(of: .tokens, at: at(1)) == 600)
        #expect(gate.externalUsage(of: .tokens, at: at(31)) == 300)
        #expect(gate.externalUsage(of: .tokens, at: at(61)) == 0)
        #expect(gate.providerObservation(of: .tokens)?.remaining == 400)
    }

    @Test("a lower reading does not undo external usage faster than it fades")
    func lowerKeepsFading() {
        var gate = makeGate(limit: 1000, window: 60)
        gate.observe(ProviderObservation(kind: .tokens, limit: 1000, remaining: 100, reset: at(60), observedAt: at(0)), now: at(0))
        // 900 unseen at 0 s fading to 0 at 60 s: 885 at 1 s, whatever the lower reading says.
        let counted = gate.observe(
            ProviderObservation(kind: .tokens, limit: 1000, remaining: 700, reset: at(60), observedAt: at(1)), now: at(1))
        #expect(counted == 885)
        #expect(gate.externalUsage(of: .tokens, at: at(30)) == 450)
        #expect(gate.providerObservation(of: .tokens)?.remaining == 700)
    }

    /// A reading taken while grants are on their way to the provider must not hide spending: the
    /// grants of the last send margin are left out of the comparison.
    @Test("grants within the send margin are left out of a reading, so a batch on its way hides nothing")
    func batchOnItsWay() throws {
        var gate = makeGate(limit: 10_000, window: 60, threshold: 1, sendMargin: 1)
        for _ in 0..<4 { _ = try #require(gate.acquire(worker: "a", estimate: estimate(1_000), now: at(10)).grant) }
        // At 10.2 s the provider has charged none of them but sees 3,000 of another tool's.
        let unseen = gate.observe(
            ProviderObservation(kind: .tokens, limit: 10_000, remaining: 7_000, reset: at(70), observedAt: at(10.2)),
            now: at(10.2)
        )
        #expect(unseen == 3_000)
        // 4,000 reserved + 3,000 unseen: 3,000 still fit, not 3,001.
        #expect(gate.acquire(worker: "b", estimate: estimate(3_001), now: at(10.2)).waiter != nil)
    }

    @Test("a report above its reservation corrects the unseen figure: nothing counts twice")
    func reportCorrectsUnseen() throws {
        var gate = makeGate(limit: 10_000, window: 60, threshold: 1, sendMargin: 1)
        let grant = try #require(gate.acquire(worker: "a", estimate: estimate(1_000), now: at(0)).grant)
        // The request really costs 3,000: the provider charged it all, the timeline holds 1,000.
        gate.observe(ProviderObservation(kind: .tokens, limit: 10_000, remaining: 7_000, reset: at(60), observedAt: at(5)), now: at(5))
        #expect(gate.externalUsage(of: .tokens, at: at(5)) == 2_000)
        gate.settle(ticket: grant.ticket, usage: usage(3_000), now: at(5))
        #expect(gate.externalUsage(of: .tokens, at: at(5)) == 0)
        #expect(gate.used(now: at(5)).tokens == 3_000)
    }

    @Test("differences within the provider's rounding count nothing")
    func roundingIgnored() {
        var gate = makeGate(limit: 100_000, window: 60, providerRounding: 1_000)
        gate.settle(ticket: nil, usage: usage(10_200), worker: "a", now: at(0))
        #expect(gate.observe(
            ProviderObservation(kind: .tokens, limit: 100_000, remaining: 89_000, reset: at(60), observedAt: at(0)), now: at(0)
        ) == 0)
        #expect(gate.observe(
            ProviderObservation(kind: .tokens, limit: 100_000, remaining: 88_000, reset: at(60), observedAt: at(0)), now: at(0)
        ) == 1_800)
    }

    @Test("a provider that says it is fully replenished now clears external usage")
    func replenishedClears() {
        var gate = makeGate(limit: 1000, window: 60)
        gate.observe(ProviderObservation(kind: .tokens, limit: 1000, remaining: 100, reset: at(60), observedAt: at(0)), now: at(0))
        gate.observe(ProviderObservation(kind: .tokens, limit: 1000, remaining: 1000, reset: at(1), observedAt: at(1)), now: at(1))
        #expect(gate.externalUsage(of: .tokens, at: at(1)) == 0)
        #expect(gate.acquire(worker: "a", estimate: estimate(1000), now: at(1)).grant != nil)
    }

    @Test("the provider's limit can be adopted")
    func adoptLimit() throws {
        var gate = makeGate(limit: 1000, window: 60)
        gate.observe(ProviderObservation(kind: .tokens, limit: 4000, remaining: 4000, reset: nil, observedAt: at(0)), now: at(0))
        try gate.adoptProviderLimit(of: .tokens, now: at(0))
        #expect(gate.configuration.limit(of: .tokens) == 4000)
    }
}
