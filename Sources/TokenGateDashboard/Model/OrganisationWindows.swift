import TokenGateWire

extension Status {
    /// With `serve --redis`: the shared windows of the whole organisation (every host's tickets,
    /// and the spending a provider reported that none accounts for) in place of this host's
    /// tickets, in the top-level figures, every pool and the `tokens` budget, so that the gauges
    /// and the history show how full the limit the hosts share is. Workers stay this host's, and
    /// so does `waiting` (the queue panel lists this host's waiters). Unchanged without
    /// `cluster.pools`.
    func withOrganisationWindows() -> Status {
        guard let windows = cluster?.pools, !windows.isEmpty else { return self }
        let byName = Dictionary(windows.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var status = self
        if let shared = byName[PoolSelection.defaultPool] {
            status.used = shared.used
            status.reserved = shared.reserved
            status.budgets = Self.sharing(shared, in: status.budgets)
        }
        status.pools = status.pools?.map { pool in
            guard let shared = byName[pool.name] else { return pool }
            var pool = pool
            pool.used = shared.used
            pool.reserved = shared.reserved
            pool.budgets = Self.sharing(shared, in: pool.budgets)
            return pool
        }
        return status
    }

    /// The `tokens` budget with the shared window's figures; the other budgets as they are
    /// (Redis's window is read for tokens only).
    private static func sharing(_ shared: ClusterPoolStatus, in budgets: [BudgetStatus]) -> [BudgetStatus] {
        budgets.map { budget in
            guard budget.name == "tokens" else { return budget }
            var budget = budget
            budget.used = shared.used
            budget.reserved = shared.reserved
            budget.external = shared.external
            return budget
        }
    }
}
