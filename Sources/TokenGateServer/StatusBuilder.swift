import TokenGateCore
import TokenGateWire

/// Turns the core's snapshot into the contract's Status object.
enum StatusBuilder {
    static func status(
        from snapshot: GateSnapshot, connectedWorkers: Set<String>, uptime: TimeSpan, server: String, now: Instant,
        journal: (any JournalSink)? = nil
    ) -> Status {
        let tokens = snapshot.budget(.tokens)
        return Status(
            state: snapshot.state,
            windowMs: snapshot.window.milliseconds,
            limit: tokens?.limit ?? 0,
            threshold: snapshot.threshold,
            used: tokens?.used ?? 0,
            reserved: tokens?.reserved ?? 0,
            inFlight: snapshot.inFlight,
            waiting: snapshot.waiting,
            cooldownRemainingMs: snapshot.cooldownRemaining?.millisecondsRoundedUp,
            budgets: budgets(snapshot, now: now),
            workers: snapshot.workers.map {
                WorkerStatus(
                    worker: $0.worker, used: $0.used, requests: $0.requests, inFlight: $0.inFlight, waiting: $0.waiting,
                    lastSeenMsAgo: $0.lastSeen.milliseconds, connected: connectedWorkers.contains($0.worker),
                    oldestGrantMs: $0.oldestGrant?.milliseconds
                )
            },
            uptimeMs: uptime.milliseconds,
            server: server,
            queue: snapshot.head.map { head in
                QueueStatus(
                    worker: head.worker, estimate: head.demand.tokens,
                    admissibleInMs: head.admissibleAt.map { ($0 - now).millisecondsRoundedUp },
                    oversized: head.oversized, priority: head.priority
                )
            },
            cooldownWorker: snapshot.cooldownWorker,
            journal: journal.map(journalStatus),
            algorithm: snapshot.algorithm.rawValue,
            sendMarginMs: snapshot.sendMargin.milliseconds
        )
    }

    /// A snapshot's queued acquires by priority.
    static func queueByPriority(_ snapshot: GateSnapshot) -> PriorityCounts {
        var counts = PriorityCounts()
        for priority in Priority.allCases { counts[priority] = snapshot.waitingByPriority[priority] ?? 0 }
        return counts
    }

    /// A snapshot's budgets as the contract shows them.
    static func budgets(_ snapshot: GateSnapshot, now: Instant) -> [BudgetStatus] {
        snapshot.budgets.map {
            BudgetStatus(
                name: $0.kind.rawValue, limit: $0.limit, used: $0.used, reserved: $0.reserved,
                external: $0.external > 0 ? $0.external : nil, providerRemaining: $0.provider?.remaining,
                providerLimit: $0.provider?.limit, providerObservedMsAgo: $0.provider.map { (now - $0.observedAt).milliseconds }
            )
        }
    }

    /// The journal's health for status: its path, and the reason when it is degraded.
    static func journalStatus(_ journal: any JournalSink) -> JournalStatus {
        let reason = journal.degradedReason
        return JournalStatus(path: journal.location ?? "", ok: reason == nil, error: reason)
    }
}
