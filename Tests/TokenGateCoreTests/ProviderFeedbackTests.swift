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

    /// A hard window's reset is about one window ahead: a reading that counted the fleet's own
    /// grants of the last send margin (they had already reached the provider) must not keep them
    /// counted once they are on the timeline, or the fleet stays throttled for a window.
    @Test("a reading's grants within the send margin stop counting as unseen once they leave the margin")
    func inMarginGrantsCountOnce() throws {
        var gate = makeGate(limit: 100_000, window: 10, threshold: 1, sendMargin: 0.2)
        for _ in 0..<20 { _ = try #require(gate.acquire(worker: "a", estimate: estimate(1_000), now: at(0)).grant) }
        // At 0.1 s the provider has charged all 20,000 (and nothing else): the reading cannot tell
        // which of them arrived, so it counts them as unseen while they are in the margin.
        gate.observe(
            ProviderObservation(kind: .tokens, limit: 100_000, remaining: 80_000, reset: at(10.1), observedAt: at(0.1)),
            now: at(0.1)
        )
        #expect(gate.externalUsage(of: .tokens, at: at(0.1)) == 20_000)
        #expect(gate.acquire(worker: "b", estimate: estimate(80_000), now: at(0.1)).waiter != nil)
        // The response of one of them, out of the margin: they are all on the timeline, 20,000
        // charged and 80,000 free, as the provider says; the earlier reading counts them no more.
        gate.observe(
            ProviderObservation(kind: .tokens, limit: 100_000, remaining: 80_000, reset: at(10.1), observedAt: at(0.5)),
            now: at(0.5)
        )
        #expect(gate.externalUsage(of: .tokens, at: at(0.5)) == 0)
        #expect(gate.takeOutcomes().compactMap(\.grant).count == 1)
    }

    @Test("a reading's grants within the send margin count until a later reading takes over, not by time alone")
    func inMarginCountsUntilTakenOver() throws {
        var gate = makeGate(limit: 100_000, window: 10, threshold: 1, sendMargin: 0.2)
        for _ in 0..<20 { _ = try #require(gate.acquire(worker: "a", estimate: estimate(1_000), now: at(0)).grant) }
        gate.observe(
            ProviderObservation(kind: .tokens, limit: 100_000, remaining: 70_000, reset: at(10.1), observedAt: at(0.1)),
            now: at(0.1)
        )
        // 30,000 at the provider: 10,000 unseen at least, 30,000 if none of the grants had arrived.
        #expect(gate.externalUsage(of: .tokens, at: at(0.1)) == 30_000)
        // Nothing has said which yet: the larger figure keeps counting (fading) after the margin.
        #expect(gate.externalUsage(of: .tokens, at: at(1)) > 27_000)
        // A reading within the margin of the first does not take over from it.
        gate.observe(
            ProviderObservation(kind: .tokens, limit: 100_000, remaining: 80_000, reset: at(10.15), observedAt: at(0.15)),
            now: at(0.15)
        )
        #expect(gate.externalUsage(of: .tokens, at: at(0.15)) > 29_000)
        // One a margin after both does: 20,000 of the fleet's and 10,000 unseen (firm now, fading).
        gate.observe(
            ProviderObservation(kind: .tokens, limit: 100_000, remaining: 70_000, reset: at(10.4), observedAt: at(0.4)),
            now: at(0.4)
        )
        #expect(gate.externalUsage(of: .tokens, at: at(0.4)) == 10_000)
    }

    @Test("unseen spending measured beside grants on their way is not taken for theirs once they leave the margin")
    func unseenBesideGrantsOnTheirWay() throws {
        var gate = makeGate(limit: 10_000, window: 60, threshold: 1, sendMargin: 1)
        for _ in 0..<4 { _ = try #require(gate.acquire(worker: "a", estimate: estimate(1_000), now: at(10)).grant) }
        // 3,000 of another tool's, none of the grants charged yet: 3,000 unseen at 10.2 s.
        gate.observe(
            ProviderObservation(kind: .tokens, limit: 10_000, remaining: 7_000, reset: at(70), observedAt: at(10.2)),
            now: at(10.2)
        )
        // Out of the margin nothing says the 3,000 were the fleet's: they still count (fading).
        #expect(gate.externalUsage(of: .tokens, at: at(11.5)) > 2_900)
        // A reading a margin later sees the 4,000 charged and the 3,000 beside them: 3,000 unseen.
        gate.observe(
            ProviderObservation(kind: .tokens, limit: 10_000, remaining: 3_000, reset: at(71.2), observedAt: at(11.2)),
            now: at(11.5)
        )
        #expect(gate.externalUsage(of: .tokens, at: at(11.5)) >= 3_000)
        // That reading had nothing in its margin: its figure is firm, and a lower one keeps it fading.
        gate.observe(
            ProviderObservation(kind: .tokens, limit: 10_000, remaining: 6_000, reset: at(71.2), observedAt: at(12.6)),
            now: at(12.6)
        )
        #expect(gate.externalUsage(of: .tokens, at: at(12.6)) > 2_900)
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
