import TokenGateCore
import TokenGateWire

/// What the dashboard shows and controls of a daemon with several pools (contract v2). Pure.
///
/// With one pool (or a v1 daemon, which sends no `pools`) there is nothing to select: the screen and
/// the keys are as before pools. With more, Tab cycles the selection all -> `default` -> the other
/// pools in the daemon's order -> all; Shift-Tab goes back.
public enum PoolSelection {
    /// The pool that takes every model no other pool names; the v1 top-level fields describe it.
    public static let defaultPool = "default"

    /// The daemon's pools when it has more than one, else none.
    public static func pools(of status: Status?) -> [PoolStatus] {
        guard let pools = status?.pools, pools.count > 1 else { return [] }
        return pools
    }

    /// The selection after `selected` one step forward (or back) through all, then each pool.
    public static func step(from selected: String?, forward: Bool, pools: [PoolStatus]) -> String? {
        guard !pools.isEmpty else { return nil }
        let cycle: [String?] = [nil] + pools.map(\.name)
        let index = cycle.firstIndex(of: selected) ?? 0
        let next = (index + (forward ? 1 : cycle.count - 1)) % cycle.count
        return cycle[next]
    }

    /// `selected` if the daemon still has that pool (and more than one), else all.
    public static func reconciled(_ selected: String?, in status: Status?) -> String? {
        guard let selected else { return nil }
        return pools(of: status).contains { $0.name == selected } ? selected : nil
    }

    /// The pool `name` of `status`, if the daemon has several pools and that one.
    public static func pool(_ name: String?, in status: Status?) -> PoolStatus? {
        guard let name else { return nil }
        return pools(of: status).first { $0.name == name }
    }

    /// The state that `p` toggles: the selected pool's; for all, `paused` when every pool is paused,
    /// else the daemon's (`default`'s) state, `running` when only `default` is paused.
    public static func state(of selected: String?, in status: Status) -> GateState {
        if let pool = pool(selected, in: status) { return pool.state }
        let pools = pools(of: status)
        guard !pools.isEmpty else { return status.state }
        if pools.allSatisfy({ $0.state == .paused }) { return .paused }
        return status.state == .paused ? .running : status.state
    }

    /// The pool that `+`/`-` change: the selected one; for all, `default` when there are several
    /// pools (named, so the confirm line can say which), `nil` (the daemon's only one) otherwise.
    public static func limitTarget(_ selected: String?, in status: Status) -> String? {
        if let pool = pool(selected, in: status) { return pool.name }
        return pools(of: status).isEmpty ? nil : defaultPool
    }

    /// The `tokens` limit of pool `target` (the top-level limit for `nil` or `default`).
    public static func limit(of target: String?, in status: Status) -> Int64 {
        pool(target, in: status)?.limit ?? status.limit
    }

    /// `status` narrowed to the selected pool, for the queue panel and the chart: its state, limit,
    /// threshold, usage, queue figures and cooldown. The queue's head is the daemon's (`default`'s),
    /// so it is dropped for another pool. `status` itself for all, `default`, or a single pool.
    public static func narrowed(_ status: Status?, to selected: String?) -> Status? {
        guard let status, let pool = pool(selected, in: status) else { return status }
        return status.viewed(asPool: pool.name)
    }

    /// The workers with `used` replaced by their usage in pool `selected` (from `pool_used`), or as
    /// they are for all or a single pool.
    public static func workers(_ status: Status?, in selected: String?) -> [WorkerStatus] {
        let workers = status?.workers ?? []
        guard let name = pool(selected, in: status)?.name else { return workers }
        return workers.map { worker in
            var worker = worker
            worker.used = worker.poolUsed?[name] ?? 0
            return worker
        }
    }
}
