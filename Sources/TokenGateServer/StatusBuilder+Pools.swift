import TokenGateCore
import TokenGateWire

extension StatusBuilder {
    /// One pool's snapshot, with its name and globs.
    struct PoolSnapshot {
        let name: String
        let models: [String]
        let snapshot: GateSnapshot
    }

    /// The Status object of a daemon with pools (contract v2): the v1 fields describe `default`
    /// (the first pool) exactly as before; `pools` lists every pool; a worker's figures add up
    /// over the pools, with `pool_used` per pool it used, its controls, and its tickets (named by
    /// `ticketText`) and waiters of every pool.
    static func status(
        pools: [PoolSnapshot], connectedWorkers: Set<String>, uptime: TimeSpan, server: String, now: Instant,
        journal: (any JournalSink)? = nil, ticketText: (TicketID) -> String
    ) -> Status {
        guard let first = pools.first else { preconditionFailure("a daemon always has the pool default") }
        var status = status(
            from: first.snapshot, connectedWorkers: connectedWorkers, uptime: uptime, server: server, now: now,
            journal: journal
        )
        status.pools = pools.map { pool in poolStatus(pool, now: now) }
        status.workers = mergedWorkers(pools, connectedWorkers: connectedWorkers, ticketText: ticketText)
        status.queueByPriority = queueByPriority(first.snapshot)
        status.reserveHigh = first.snapshot.highReserve
        status.priorityAgingMs = first.snapshot.priorityAging.milliseconds
        return status
    }

    private static func poolStatus(_ pool: PoolSnapshot, now: Instant) -> PoolStatus {
        let snapshot = pool.snapshot
        let tokens = snapshot.budget(.tokens)
        return PoolStatus(
            name: pool.name, models: pool.models, state: stateName(snapshot.state), limit: tokens?.limit ?? 0,
            threshold: snapshot.threshold, used: tokens?.used ?? 0, reserved: tokens?.reserved ?? 0,
            inFlight: snapshot.inFlight, waiting: snapshot.waiting,
            cooldownRemainingMs: snapshot.cooldownRemaining?.millisecondsRoundedUp,
            budgets: budgets(snapshot, now: now), queueByPriority: queueByPriority(snapshot)
        )
    }

    /// Every worker of any pool, its figures summed over the pools.
    private static func mergedWorkers(
        _ pools: [PoolSnapshot], connectedWorkers: Set<String>, ticketText: (TicketID) -> String
    ) -> [WorkerStatus] {
        var merged: [String: WorkerStatus] = [:]
        for pool in pools {
            for worker in pool.snapshot.workers {
                var entry = merged[worker.worker] ?? WorkerStatus(
                    worker: worker.worker, used: 0, requests: 0, inFlight: 0, waiting: 0,
                    lastSeenMsAgo: worker.lastSeen.milliseconds, connected: connectedWorkers.contains(worker.worker),
                    poolUsed: [:], paused: worker.paused, cap: worker.cap, tickets: [], waiters: []
                )
                entry.used += worker.used
                entry.requests += worker.requests
                entry.inFlight += worker.inFlight
                entry.waiting += worker.waiting
                entry.lastSeenMsAgo = min(entry.lastSeenMsAgo, worker.lastSeen.milliseconds)
                if let oldest = worker.oldestGrant?.milliseconds {
                    entry.oldestGrantMs = max(entry.oldestGrantMs ?? 0, oldest)
                }
                if worker.used > 0 || worker.requests > 0 { entry.poolUsed?[pool.name] = worker.used }
                entry.tickets? += worker.tickets.map {
                    TicketStatus(ticket: ticketText($0.ticket), ageMs: $0.age.milliseconds, reserved: $0.reserved, pool: pool.name)
                }
                entry.waiters? += worker.waiters.map {
                    WaiterStatus(
                        priority: PriorityName($0.priority), estimate: $0.estimate, waitedMs: $0.waited.milliseconds, pool: pool.name
                    )
                }
                merged[worker.worker] = entry
            }
        }
        // Each list keeps the oldest of every pool's, up to the same bound; an empty one is left out.
        return merged.values.map { entry in
            var entry = entry
            entry.tickets = entry.tickets.flatMap { $0.isEmpty ? nil : Array($0.sorted { $0.ageMs > $1.ageMs }.prefix(WorkerSnapshot.listLimit)) }
            entry.waiters = entry.waiters.flatMap { $0.isEmpty ? nil : Array($0.prefix(WorkerSnapshot.listLimit)) }
            return entry
        }.sorted { $0.worker < $1.worker }
    }
}
