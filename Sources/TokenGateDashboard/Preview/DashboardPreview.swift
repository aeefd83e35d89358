import TokenGateWire

/// Ready-made dashboards for looking at the screen without a daemon: `print(DashboardPreview.render(.running).text)`.
/// The snapshot tests use the same scenarios.
public enum DashboardPreview {
    /// A situation worth looking at.
    public enum Scenario: String, Sendable, CaseIterable {
        /// Busy, running; earlier a cooldown, a limit change, a worker joining and leaving.
        case running
        /// The operator paused dispatch half a minute ago; acquires queue up.
        case paused
        /// A 429 from `crawler-03` started a 30 s cooldown 18 s ago.
        case cooldown
        /// The daemon went away 12 s ago; the last snapshot stays on screen.
        case disconnected
        /// Nothing heard yet.
        case connecting
        /// Running with all four budgets configured, usage the provider reported that the daemon did
        /// not see with the provider's own figures beside the local ones, an oversized request at the
        /// head of the queue and a failing journal.
        case budgets
        /// Three pools (contract v2): `default` running, `opus` (its own smaller limit) cooling down
        /// after a 429 for 12 s more, `haiku` paused by the operator; the workers' usage split over
        /// the pools they use.
        case pools
        /// Several hosts sharing the limit through Redis (`serve --redis`): this daemon `gpu-a`,
        /// `gpu-b` and `cpu-c`, the workers spread over them.
        case hosts
        /// As ``hosts``, but Redis stopped answering 3 s ago: nothing is granted, calls wait.
        case hostsUnreachable
    }

    /// The dashboard clock at which previews are rendered.
    public static let now: Double = 420

    /// A model that went through `scenario`'s history, ending at ``now``.
    public static func model(_ scenario: Scenario, workers: Int = 8) -> DashboardModel {
        var model = DashboardModel()
        guard scenario != .connecting else { return model }
        let start = now - 360
        model.apply(.connected, now: start)
        let lastSnapshot = scenario == .disconnected ? now - 14 : now
        var time = start
        while time <= lastSnapshot {
            model.apply(.snapshot(status(scenario, workers: workers, at: time)), now: time)
            time += 2
        }
        if scenario == .disconnected {
            model.apply(.disconnected(reason: "connection refused"), now: now - 12)
        }
        return model
    }

    /// The daemon's status at dashboard time `time` in `scenario`.
    public static func status(_ scenario: Scenario, workers: Int = 8, at time: Double) -> Status {
        let uptime = time + 3_600
        var fleet = SyntheticFleet(workerCount: workers)
        // An operator capped the busiest worker and paused another a while ago.
        if time >= now - 240 { fleet.caps[SyntheticFleet.workerName(0)] = 0.25 }
        if time >= now - 90, workers > 3 { fleet.pausedWorkers.insert(SyntheticFleet.workerName(3)) }
        if time < now - 200 { fleet.limit = 1_500_000 }
        let connected = time < now - 300 || time >= now - 60 ? workers - 1 : workers
        if scenario == .budgets {
            var status = fleet.status(at: uptime, connectedWorkers: connected)
            let input = status.used * 7 / 10
            let requests = status.workers.reduce(0) { $0 + $1.requests }
            status.budgets += [
                BudgetStatus(name: "requests", limit: 4_000, used: requests, reserved: Int64(status.inFlight)),
                BudgetStatus(name: "output", limit: 400_000, used: status.used - input, reserved: status.reserved / 4),
                BudgetStatus(
                    name: "input", limit: 1_500_000, used: input, reserved: status.reserved * 3 / 4, external: 150_000),
            ]
            status.budgets[0].external = 150_000
            for index in status.budgets.indices where status.budgets[index].external != nil {
                let budget = status.budgets[index]
                let left = budget.limit - budget.used - budget.reserved - (budget.external ?? 0)
                status.budgets[index].providerRemaining = max(0, left / 1_000 * 1_000)
                status.budgets[index].providerLimit = budget.limit
                status.budgets[index].providerObservedMsAgo = 2_400
            }
            status.journal = JournalStatus(
                path: "/var/lib/tokengate/usage.db", ok: time < now - 40, error: time < now - 40 ? nil : "disk full")
            status.waiting = max(1, status.waiting)
            status.algorithm = "token-bucket"
            status.queue = QueueStatus(worker: "batch-06", estimate: 1_700_000, admissibleInMs: nil, oversized: true)
            return status
        }
        if scenario == .pools {
            let status = fleet.status(at: uptime, connectedWorkers: connected)
            let opusCooling = time >= now - 8
            return fleet.withPools(status, extra: [
                SyntheticFleet.ExtraPool(
                    name: "opus", models: ["claude-opus-*"], limit: 400_000, state: opusCooling ? .cooldown : .running,
                    cooldownRemainingMs: 20_000 - Int64((time - (now - 8)) * 1000)),
                SyntheticFleet.ExtraPool(
                    name: "haiku", models: ["claude-haiku-*"], limit: 600_000, threshold: 1.0,
                    state: time >= now - 30 ? .paused : .running),
            ], at: uptime)
        }
        if scenario == .hosts || scenario == .hostsUnreachable {
            let unreachable = scenario == .hostsUnreachable && time >= now - 3
            return withHosts(fleet.status(at: uptime, connectedWorkers: connected), unreachable: unreachable)
        }
        if scenario == .paused, time >= now - 30 {
            return fleet.status(at: uptime, state: .paused, connectedWorkers: connected)
        }
        if scenario == .cooldown, time >= now - 18 {
            let remaining = 30_000 - Int64((time - (now - 18)) * 1000)
            return fleet.status(
                at: uptime, state: .cooldown, cooldownRemainingMs: remaining, cooldownWorker: "crawler-03",
                connectedWorkers: connected)
        }
        if time >= now - 150, time < now - 130 {
            let remaining = 20_000 - Int64((time - (now - 150)) * 1000)
            return fleet.status(
                at: uptime, state: .cooldown, cooldownRemainingMs: remaining, cooldownWorker: "agent-09",
                connectedWorkers: connected)
        }
        return fleet.status(at: uptime, connectedWorkers: connected)
    }

    /// `status` as `gpu-a`'s daemon of three hosts reports it: its own workers (each marked
    /// `gpu-a`; a daemon lists its own only), and the hosts `gpu-b` and `cpu-c` as Redis holds them.
    static func withHosts(_ status: Status, unreachable: Bool) -> Status {
        var status = status
        for index in status.workers.indices { status.workers[index].host = "gpu-a" }
        let own = HostStatus(
            host: "gpu-a", workers: Int64(status.workers.filter(\.connected).count), used: status.used,
            reserved: status.reserved, waiting: Int64(status.waiting), lastSeenMsAgo: unreachable ? 3_000 : 200)
        let others = [
            HostStatus(host: "gpu-b", workers: 5, used: status.used * 6 / 10, reserved: 41_200, waiting: 2, lastSeenMsAgo: unreachable ? 3_300 : 400),
            HostStatus(host: "cpu-c", workers: 2, used: status.used / 8, reserved: 0, waiting: 0, lastSeenMsAgo: unreachable ? 3_100 : 100),
        ]
        status.cluster = ClusterStatus(
            state: unreachable ? .unreachable : .connected, org: "acme", hosts: [own] + others, host: "gpu-a",
            lastError: unreachable ? "connection refused (redis://10.0.0.5:6379)" : nil, pending: unreachable ? 2 : 0)
        return status
    }

    /// The UI state after the selection moved `selectedIndex` rows down a table of `visibleRows`.
    public static func ui(
        for model: DashboardModel, selectedIndex: Int = 0, visibleRows: Int, sort: WorkerSort = .used,
        showHelp: Bool = false, selectedPool: String? = nil
    ) -> DashboardUIState {
        var ui = DashboardUIState(sort: sort, showHelp: showHelp, selectedPool: selectedPool)
        let rows = DashboardView.tableRows(for: model.status, sort: sort, pool: selectedPool).map(\.worker)
        ui.select(index: selectedIndex, rows: rows, visibleRows: visibleRows)
        return ui
    }

    /// One frame of `scenario` at `size`.
    public static func render(
        _ scenario: Scenario, size: TerminalSize = TerminalSize(width: 100, height: 30), workers: Int = 8,
        selectedIndex: Int = 0, sort: WorkerSort = .used, showHelp: Bool = false, glyphs: Glyphs = .unicode,
        selectedPool: String? = nil, limitProposal: LimitProposal? = nil
    ) -> Canvas {
        let model = self.model(scenario, workers: workers)
        let visible = DashboardView.layout(for: model.status, size: size)?.tableVisibleRows ?? 1
        let ui = self.ui(
            for: model, selectedIndex: selectedIndex, visibleRows: visible, sort: sort, showHelp: showHelp,
            selectedPool: selectedPool)
        return DashboardView.render(
            model: model, ui: ui, size: size, glyphs: glyphs, now: now,
            socketLabel: "/run/user/1000/tokengate.sock", limitProposal: limitProposal)
    }
}
