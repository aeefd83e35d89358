import Testing
import TokenGateCore
import TokenGateDashboard
import TokenGateWire

@Suite struct EventDerivationTests {
    func status(
        state: GateState = .running, limit: Int64 = 1_800_000, threshold: Double = 0.9, uptimeMs: Int64 = 10_000,
        workers: [(String, Bool)] = [("a", true), ("b", true)], cooldownMs: Int64? = nil, cooldownWorker: String? = nil
    ) -> Status {
        Status(
            state: state, windowMs: 60_000, limit: limit, threshold: threshold, used: 0, reserved: 0, inFlight: 0,
            waiting: 0, cooldownRemainingMs: cooldownMs, budgets: [],
            workers: workers.map {
                WorkerStatus(worker: $0.0, used: 0, requests: 0, inFlight: 0, waiting: 0, lastSeenMsAgo: 0, connected: $0.1)
            },
            uptimeMs: uptimeMs, server: "tokengate/0.1.0", cooldownWorker: cooldownWorker)
    }

    func derive(_ old: Status?, _ new: Status) -> [String] {
        EventDerivation.events(from: old, to: new, now: 5).map { "\($0.label) \($0.message)" }
    }

    @Test func firstSnapshotSaysNothing() {
        #expect(derive(nil, status()).isEmpty)
    }

    @Test func sameSnapshotSaysNothing() {
        #expect(derive(status(), status(uptimeMs: 10_250)).isEmpty)
    }

    @Test func pauseAndResume() {
        #expect(derive(status(), status(state: .paused)) == ["PAUSE no new grants"])
        #expect(derive(status(state: .paused), status()) == ["RESUME grants again"])
    }

    @Test func cooldownNamesTheWorkerAndEnds() {
        let cooling = status(state: .cooldown, cooldownMs: 30_000, cooldownWorker: "crawler-03")
        #expect(derive(status(), cooling) == ["429 crawler-03 · 30s"])
        #expect(derive(cooling, status()) == ["COOL cooldown over"])
        let anonymous = status(state: .cooldown, cooldownMs: 5_000)
        #expect(derive(status(), anonymous) == ["429 cooldown 5.0s"])
    }

    @Test func aNewerCooldownIsReportedAsRenewed() {
        let first = status(state: .cooldown, cooldownMs: 10_000, cooldownWorker: "a")
        let counting = status(state: .cooldown, cooldownMs: 9_750, cooldownWorker: "a")
        let renewed = status(state: .cooldown, cooldownMs: 30_000, cooldownWorker: "b")
        #expect(derive(first, counting).isEmpty)
        #expect(derive(counting, renewed) == ["429 b · 30s (renewed)"])
    }

    @Test func limitAndThresholdChanges() {
        #expect(derive(status(), status(limit: 1_980_000)) == ["LIMIT 1.80M → 1.98M"])
        #expect(derive(status(), status(limit: 900_000, threshold: 0.8)) == ["LIMIT 1.80M → 900.0k, threshold 90% → 80%"])
    }

    @Test func workersJoiningAndLeaving() {
        let before = status(workers: [("a", true), ("b", true), ("c", false)])
        let after = status(workers: [("a", true), ("c", true), ("d", true)])
        #expect(derive(before, after) == ["JOIN c", "JOIN d", "LEAVE b"])
        // A worker marked disconnected leaves; one already gone that drops out of the list does not.
        let disconnected = status(workers: [("a", false), ("c", true), ("d", true)])
        #expect(derive(after, disconnected) == ["LEAVE a"])
        #expect(derive(disconnected, status(workers: [("c", true), ("d", true)])).isEmpty)
    }

    @Test func manyJoinsBecomeOneLine() {
        let many = status(workers: (0..<200).map { ("w\($0)", true) })
        let events = EventDerivation.events(from: status(workers: []), to: many, now: 1)
        #expect(events.count == 1)
        #expect(events[0].kind == .joined)
        #expect(events[0].message == "200 workers: w0, w1, …")
    }

    @Test func restartIsNoticed() {
        #expect(derive(status(uptimeMs: 50_000), status(uptimeMs: 200)) == ["DAEMON daemon restarted (tokengate/0.1.0)"])
    }

    @Test func journalFailingAndRecovering() {
        var failing = status()
        failing.journal = JournalStatus(path: "/tmp/j.db", ok: false, error: "disk full")
        var fine = status()
        fine.journal = JournalStatus(path: "/tmp/j.db", ok: true)
        #expect(derive(fine, failing) == ["JRNL journal failing: disk full"])
        #expect(derive(failing, fine) == ["JRNL journal writing again"])
        #expect(derive(status(), fine).isEmpty)
    }
}

@Suite struct DashboardModelTests {
    let fleet = SyntheticFleet(workerCount: 3)

    @Test func linkEventsBecomeEventsOncePerTransition() {
        var model = DashboardModel()
        model.apply(.connected, now: 0)
        model.apply(.snapshot(fleet.status(at: 0)), now: 0)
        model.apply(.disconnected(reason: "refused"), now: 1)
        model.apply(.disconnected(reason: "refused again"), now: 2)
        model.apply(.connected, now: 3)
        #expect(model.events.map(\.message) == ["connected", "lost: refused", "reconnected"])
        #expect(model.isConnected)
    }

    @Test func disconnectedKeepsTheFirstInstantAndTheLatestReason() {
        var model = DashboardModel()
        model.apply(.disconnected(reason: "refused"), now: 1)
        model.apply(.disconnected(reason: "no such file"), now: 4)
        #expect(model.connection == .disconnected(reason: "no such file", since: 1))
        #expect(model.events.isEmpty)
    }

    @Test func countdownAndUptimeRunBetweenSnapshots() {
        var model = DashboardModel()
        model.apply(.snapshot(fleet.status(at: 10, state: .cooldown, cooldownRemainingMs: 5_000)), now: 100)
        #expect(model.cooldownRemainingMs(now: 101.5) == 3_500)
        #expect(model.cooldownRemainingMs(now: 200) == 0)
        #expect(model.uptimeMs(now: 102) == 12_000)
        model.apply(.disconnected(reason: "gone"), now: 103)
        #expect(model.uptimeMs(now: 110) == 10_000)
    }

    @Test func snapshotsFeedTheHistoryAndTheEvents() {
        var model = DashboardModel(historySeconds: 5, maxEvents: 2)
        for second in 0..<10 {
            let state: GateState = second % 2 == 0 ? .running : .paused
            model.apply(.snapshot(fleet.status(at: Double(second), state: state)), now: Double(second))
        }
        #expect(model.history.count == 5)
        #expect(model.snapshotCount == 10)
        #expect(model.events.count == 2)
        #expect(model.events.last?.kind == .paused)
    }
}
