import DequeModule
import TokenGateWire

/// Everything the dashboard knows about the daemon: the latest snapshot, the usage history and the
/// events derived from successive snapshots. Pure: time is passed in, in seconds on any monotonic
/// clock.
public struct DashboardModel: Sendable {
    /// The state of the link to the daemon.
    public enum Connection: Sendable, Equatable {
        /// No answer yet.
        case connecting
        case connected(since: Double)
        /// Lost or unreachable; the link keeps retrying.
        case disconnected(reason: String, since: Double)
    }

    /// The link's state.
    public private(set) var connection: Connection = .connecting
    /// The latest snapshot, kept while disconnected so the screen shows the last known state.
    public private(set) var status: Status?
    /// When `status` arrived.
    public private(set) var statusTime: Double?
    /// Window usage per second, for the chart.
    public private(set) var history: UsageHistory
    /// The usage history of each pool but `default` (whose history is ``history``), sampled from the
    /// snapshots since the dashboard attached: the daemon's own history covers `default` only.
    public private(set) var poolHistories: [String: UsageHistory] = [:]
    /// Each worker's `used` per second since the dashboard attached (the status has no history per
    /// worker), for the detail pane's sparkline; a worker that leaves the status leaves this too.
    public private(set) var workerHistories: [String: UsageHistory] = [:]
    let historySeconds: Int
    /// Oldest first, at most `maxEvents`.
    public private(set) var events: Deque<DashboardEvent> = []
    /// How many events are kept.
    public let maxEvents: Int
    /// How many snapshots arrived so far.
    public private(set) var snapshotCount = 0

    /// - Parameters:
    ///   - historySeconds: how much usage history to keep for the chart.
    ///   - maxEvents: how many events to keep.
    public init(historySeconds: Int = 900, maxEvents: Int = 100) {
        history = UsageHistory(seconds: historySeconds)
        self.historySeconds = historySeconds
        self.maxEvents = max(1, maxEvents)
    }

    /// Whether the link is up.
    public var isConnected: Bool {
        if case .connected = connection { return true }
        return false
    }

    /// Applies one event from the link, seen at `now`.
    public mutating func apply(_ event: DashboardLinkEvent, now: Double) {
        switch event {
        case .connected:
            if !isConnected {
                let message: String
                if case .disconnected = connection { message = "reconnected" } else { message = "connected" }
                connection = .connected(since: now)
                append([DashboardEvent(time: now, kind: .connected, message: message)])
            }
        case .snapshot(let status):
            if !isConnected { connection = .connected(since: now) }
            receive(status, now: now)
        case .disconnected(let reason):
            switch connection {
            case .disconnected(_, let since):
                connection = .disconnected(reason: reason, since: since)
            case .connected, .connecting:
                let wasConnected = isConnected
                connection = .disconnected(reason: reason, since: now)
                if wasConnected {
                    append([DashboardEvent(time: now, kind: .disconnected, message: "lost: \(reason)")])
                }
            }
        }
    }

    /// Takes in a snapshot seen at `now`: history sample (and the daemon's own history of the last
    /// window, when the snapshot carries it) and derived events.
    public mutating func receive(_ received: Status, now: Double) {
        let status = received.withOrganisationWindows()
        append(EventDerivation.events(from: self.status, to: status, now: now))
        self.status = status
        statusTime = now
        snapshotCount += 1
        // The daemon's own history is of this host's tickets: with the organisation's windows in
        // the gauges it would show a different figure than the live samples after it.
        if let daemonHistory = status.history, status.cluster?.pools == nil {
            history.backfill(daemonHistory, time: now, limit: status.limit, threshold: status.threshold)
        }
        history.record(
            time: now, used: status.used, reserved: status.reserved, limit: status.limit, threshold: status.threshold)
        recordWorkers(status, now: now)
        for pool in status.pools ?? [] where pool.name != PoolSelection.defaultPool {
            poolHistories[pool.name, default: UsageHistory(seconds: historySeconds)].record(
                time: now, used: pool.used, reserved: pool.reserved, limit: pool.limit, threshold: pool.threshold)
        }
    }

    /// Samples every worker's usage, keeping one window of seconds (at most ``historySeconds``).
    private mutating func recordWorkers(_ status: Status, now: Double) {
        let seconds = min(historySeconds, Int(max(1, status.windowMs) / 1000) + 2)
        for worker in status.workers {
            let reserved = worker.tickets?.reduce(Int64(0)) { $0 + $1.reserved } ?? 0
            workerHistories[worker.worker, default: UsageHistory(seconds: seconds)].record(
                time: now, used: worker.used, reserved: reserved, limit: status.limit, threshold: status.threshold)
        }
        if workerHistories.count > status.workers.count {
            let names = Set(status.workers.map(\.worker))
            workerHistories = workerHistories.filter { names.contains($0.key) }
        }
    }

    /// Adds a line of feedback to the events panel (a failed command, for instance).
    public mutating func note(_ message: String, now: Double) {
        append([DashboardEvent(time: now, kind: .notice, message: message)])
    }

    /// Seconds since the latest snapshot arrived.
    public func snapshotAge(now: Double) -> Double? {
        statusTime.map { max(0, now - $0) }
    }

    /// The cooldown left at `now`, counting down from the latest snapshot.
    public func cooldownRemainingMs(now: Double) -> Int64? {
        guard let status, status.state == .cooldown else { return nil }
        let remaining = status.cooldownRemainingMs ?? 0
        let elapsed = Int64(((snapshotAge(now: now) ?? 0) * 1000).rounded(.down))
        return max(0, remaining - elapsed)
    }

    /// The daemon's uptime at `now`: extrapolated while connected, frozen while not.
    public func uptimeMs(now: Double) -> Int64? {
        guard let status else { return nil }
        guard isConnected else { return status.uptimeMs }
        return status.uptimeMs + Int64(((snapshotAge(now: now) ?? 0) * 1000).rounded(.down))
    }

    private mutating func append(_ new: [DashboardEvent]) {
        guard !new.isEmpty else { return }
        events.append(contentsOf: new)
        if events.count > maxEvents { events.removeFirst(events.count - maxEvents) }
    }
}
