import Testing
import TokenGateDashboard
import TokenGateWire

/// The dashboard with several pools (contract v2): a gauge per pool, Tab selecting the pool the
/// keys, the chart, the queue and the workers' usage are about.
@Suite struct PoolTests {
    static let standard = TerminalSize(width: 80, height: 24)
    static let large = TerminalSize(width: 120, height: 40)

    /// A session on the three-pool preview (default running, opus cooling down, haiku paused).
    func session() -> DashboardSession {
        var session = DashboardSession(socketLabel: "/tmp/s.sock", size: Self.standard)
        session.receive(.connected, now: 0)
        session.receive(.snapshot(DashboardPreview.status(.pools, at: DashboardPreview.now)), now: 0)
        return session
    }

    @Test func threePoolsAtStandardAndLargeSizes() {
        assertSnapshot(DashboardPreview.render(.pools, size: Self.standard).text, named: "pools-80x24")
        assertSnapshot(DashboardPreview.render(.pools, size: Self.large).text, named: "pools-120x40")
    }

    @Test func aSelectedPoolWithItsConfirmLine() {
        let proposal = LimitProposal(current: 400_000, up: true, pool: "opus")
        let standard = DashboardPreview.render(.pools, size: Self.standard, selectedPool: "opus", limitProposal: proposal)
        assertSnapshot(standard.text, named: "pools-opus-80x24")
        #expect(standard.text.contains("limit opus 400.0k → 440.0k"))
        assertSnapshot(DashboardPreview.render(.pools, size: Self.large, selectedPool: "haiku").text, named: "pools-haiku-120x40")
    }

    @Test func onePoolLooksAsBefore() {
        // A v2 daemon with only `default` sends `pools` with one entry: the screen is the v1 one.
        var model = DashboardPreview.model(.running)
        var status = model.status!
        status.pools = [PoolStatus(
            name: "default", models: [], state: status.state, limit: status.limit, threshold: status.threshold,
            used: status.used, reserved: status.reserved, inFlight: status.inFlight, waiting: status.waiting,
            budgets: status.budgets)]
        let before = DashboardView.render(
            model: model, ui: DashboardUIState(), size: Self.standard, glyphs: .unicode, now: DashboardPreview.now)
        model.apply(.snapshot(status), now: DashboardPreview.now)
        let after = DashboardView.render(
            model: model, ui: DashboardUIState(), size: Self.standard, glyphs: .unicode, now: DashboardPreview.now)
        #expect(before.text == after.text)
        var session = DashboardSession(socketLabel: "x", size: Self.standard, model: model)
        #expect(session.handle(.nextPool, now: 1) == .none)
        #expect(session.ui.selectedPool == nil)
        #expect(session.handle(.togglePause, now: 1) == .command(.pause(pool: nil)))
    }

    @Test func tabCyclesAllThenEachPool() {
        var session = session()
        var seen: [String?] = []
        for _ in 0..<4 {
            _ = session.handle(.nextPool, now: 1)
            seen.append(session.ui.selectedPool)
        }
        #expect(seen == ["default", "opus", "haiku", nil])
        _ = session.handle(.previousPool, now: 1)
        #expect(session.ui.selectedPool == "haiku")
        #expect(KeyMap.action(for: .character("\t")) == .nextPool)
        #expect(KeyMap.action(for: .other(0o541)) == .previousPool)
    }

    @Test func pauseActsOnTheSelectedPool() {
        var session = session()
        // All: default and opus are not paused, so `p` pauses every pool.
        #expect(session.handle(.togglePause, now: 1) == .command(.pause(pool: nil)))
        #expect(session.notice == "pausing all pools…")
        _ = session.handle(.nextPool, now: 1)
        _ = session.handle(.nextPool, now: 1)
        #expect(session.handle(.togglePause, now: 1) == .command(.pause(pool: "opus")))
        _ = session.handle(.nextPool, now: 1)
        // haiku is paused: `p` resumes it alone.
        #expect(session.handle(.togglePause, now: 1) == .command(.resume(pool: "haiku")))
        #expect(session.notice == "resuming haiku…")
    }

    @Test func limitKeysNameAndChangeTheSelectedPool() {
        var session = session()
        _ = session.handle(.raiseLimit, now: 1)
        #expect(session.limitProposal?.pool == "default")
        #expect(session.limitProposal?.current == 1_800_000)
        _ = session.handle(.cancelLimit, now: 1)
        _ = session.handle(.nextPool, now: 1)
        _ = session.handle(.nextPool, now: 1)
        _ = session.handle(.lowerLimit, now: 1)
        #expect(session.limitProposal == LimitProposal(current: 400_000, up: false, pool: "opus"))
        #expect(session.render(glyphs: .unicode, now: 1).text.contains("limit opus 400.0k → 360.0k"))
        // Tab does not move while the confirm line is open.
        _ = session.handle(.nextPool, now: 1)
        #expect(session.ui.selectedPool == "opus")
        #expect(session.handle(.confirmLimit, now: 1) == .command(.setLimit(360_000, pool: "opus")))
    }

    @Test func theTableShowsUsageInTheSelectedPool() {
        let status = DashboardPreview.status(.pools, at: DashboardPreview.now)
        let opus = DashboardView.tableRows(for: status, sort: .used, pool: "opus")
        #expect(opus.first.map { $0.used == $0.poolUsed?["opus"] } == true)
        #expect(opus.allSatisfy { $0.used == ($0.poolUsed?["opus"] ?? 0) })
        let all = DashboardView.tableRows(for: status, sort: .name)
        #expect(all.allSatisfy { $0.used == $0.poolUsed!.values.reduce(0, +) })
    }

    @Test func aVanishedPoolFallsBackToAll() {
        var session = session()
        _ = session.handle(.nextPool, now: 1)
        _ = session.handle(.nextPool, now: 1)
        #expect(session.ui.selectedPool == "opus")
        var status = DashboardPreview.status(.pools, at: DashboardPreview.now)
        status.pools = Array(status.pools!.prefix(1))
        session.receive(.snapshot(status), now: 2)
        #expect(session.ui.selectedPool == nil)
    }

    @Test func thePreviewLinkPassesThePool() async throws {
        let link = PreviewLink(workers: 2, interval: .milliseconds(10))
        try await link.pause(pool: "opus")
        try await link.setLimit(5, pool: "opus")
        try await link.resume()
        #expect(await link.received == [.pause(pool: "opus"), .setLimit(5, pool: "opus"), .resume(pool: nil)])
    }
}

@Suite struct PoolEventAndHelpTests {
    @Test func anotherPoolsPauseCooldownAndLimitAreEvents() {
        let old = DashboardPreview.status(.pools, at: DashboardPreview.now - 40)
        var new = old
        new.pools![1].state = .cooldown
        new.pools![1].cooldownRemainingMs = 20_000
        new.pools![2].state = .paused
        new.pools![2].limit = 660_000
        let events = EventDerivation.events(from: old, to: new, now: 1)
        #expect(events.map(\.label) == ["429", "PAUSE", "LIMIT"])
        #expect(events.map(\.message) == ["opus · 20s", "haiku: no new grants", "haiku 600.0k → 660.0k"])
    }

    @Test func theHelpSaysWhatTabDoesOnlyWithPools() {
        let pools = DashboardPreview.render(.pools, size: TerminalSize(width: 80, height: 24), showHelp: true).text
        #expect(pools.contains("select the pool: all, default, each pool, all again"))
        let one = DashboardPreview.render(.running, size: TerminalSize(width: 80, height: 24), showHelp: true).text
        #expect(!one.contains("Tab"))
    }
}
