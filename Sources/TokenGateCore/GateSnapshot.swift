/// The whole state of a gate at one instant: everything the contract's Status object carries that
/// the core knows, plus the head of the queue.
public struct GateSnapshot: Hashable, Sendable {
    public var state: GateState
    public var window: TimeSpan
    public var threshold: Double
    /// How the provider's limit is modelled.
    public var algorithm: AccountingAlgorithm
    /// How long after its grant a request may reach the provider.
    public var sendMargin: TimeSpan
    public var budgets: [BudgetSnapshot]
    /// Granted, unsettled tickets.
    public var inFlight: Int
    /// Queued acquires.
    public var waiting: Int
    /// Present while a cooldown lasts.
    public var cooldownRemaining: TimeSpan?
    /// The worker whose report started the cooldown.
    public var cooldownWorker: String?
    /// Workers by name.
    public var workers: [WorkerSnapshot]
    public var head: HeadSnapshot?

    /// The budget of `kind`, when configured.
    public func budget(_ kind: BudgetKind) -> BudgetSnapshot? { budgets.first { $0.kind == kind } }
}

/// One configured budget.
public struct BudgetSnapshot: Hashable, Sendable {
    public var kind: BudgetKind
    public var limit: Int64
    /// threshold x limit.
    public var capacity: Int64
    public var used: Int64
    public var reserved: Int64
    /// Spending the provider reported that the window cannot see, as of the snapshot.
    public var external: Int64
    /// The provider's latest word on this budget.
    public var provider: ProviderObservation?
}

/// One worker's share of the window.
public struct WorkerSnapshot: Hashable, Sendable {
    public var worker: String
    /// Tokens consumed in the window.
    public var used: Int64
    /// Requests in the window.
    public var requests: Int64
    public var inFlight: Int
    public var waiting: Int
    public var lastSeen: TimeSpan
    /// How long the worker's oldest ticket in flight has been out; nil when it has none.
    public var oldestGrant: TimeSpan? = nil
}

/// The waiter at the head of the queue.
public struct HeadSnapshot: Hashable, Sendable {
    public var worker: String
    public var demand: BudgetAmounts
    /// When it becomes admissible if nothing else happens; nil when only a report, a release, a
    /// resume or a limit change can let it in.
    public var admissibleAt: Instant?
    /// Its estimate exceeds threshold x limit in some budget: it waits for an empty window.
    public var oversized: Bool
}

extension Gate {
    /// The state as of `now` (call `advance(to:)` first for an exact picture; the snapshot itself
    /// changes nothing).
    public func snapshot(now: Instant) -> GateSnapshot {
        var current = timeline
        current.advance(to: now, configuration: configuration)
        let used = current.used
        let reserved = current.reserved
        let budgets = configuration.budgets.compactMap { kind -> BudgetSnapshot? in
            guard let limit = configuration.limit(of: kind), let capacity = configuration.capacity(of: kind) else {
                return nil
            }
            return BudgetSnapshot(
                kind: kind, limit: limit, capacity: capacity, used: used[kind], reserved: reserved[kind],
                external: externalUsage(of: kind, at: now), provider: providerObservations[kind]
            )
        }
        let state: GateState
        let cooling = cooldownUntil.map { $0 > now } ?? false
        if isPaused { state = .paused } else if cooling { state = .cooldown } else { state = .running }
        var oldestGrant: [String: Instant] = [:]
        for ticket in tickets.values where oldestGrant[ticket.worker].map({ ticket.grantedAt < $0 }) ?? true {
            oldestGrant[ticket.worker] = ticket.grantedAt
        }
        let workerSnapshots = workers.map { name, ledger in
            let spent = ledger.window.total(at: now)
            return WorkerSnapshot(
                worker: name, used: spent.tokens, requests: spent.requests, inFlight: ledger.inFlight,
                waiting: ledger.waiting, lastSeen: now - ledger.lastSeen, oldestGrant: oldestGrant[name].map { now - $0 }
            )
        }.sorted { $0.worker < $1.worker }
        let head = queue.first.map { waiter in
            HeadSnapshot(
                worker: waiter.worker, demand: waiter.demand, admissibleAt: admissibleAt(waiter, now: now),
                oversized: isOversized(waiter.demand)
            )
        }
        return GateSnapshot(
            state: state, window: configuration.window, threshold: configuration.threshold,
            algorithm: configuration.algorithm, sendMargin: configuration.sendMargin, budgets: budgets,
            inFlight: tickets.count, waiting: queue.count,
            cooldownRemaining: cooling ? cooldownUntil.map { $0 - now } : nil,
            cooldownWorker: cooling ? cooldownWorker : nil, workers: workerSnapshots, head: head
        )
    }

    /// Whether `demand` exceeds threshold x limit in some configured budget.
    public func isOversized(_ demand: BudgetAmounts) -> Bool {
        configuration.budgets.contains { kind in
            configuration.capacity(of: kind).map { demand[kind] > $0 } ?? false
        }
    }

    /// The amounts consumed on the timeline as of the last call that brought the gate to a
    /// later instant than `now` (advance first for an exact figure).
    public func used(now: Instant) -> BudgetAmounts {
        var copy = timeline
        copy.advance(to: now, configuration: configuration)
        return copy.used
    }

    /// The amounts held by outstanding reservations on the timeline.
    public var reserved: BudgetAmounts { timeline.reserved }

    /// The live coalescing slots of the gate's timeline: at most 2 x (slots per window + 2) for
    /// the sliding window (used and reserved); the bucket's are bounded by the time its deficit
    /// spans.
    public var windowSlotCount: Int { timeline.slotCount }
}
