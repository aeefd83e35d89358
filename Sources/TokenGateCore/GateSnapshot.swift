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
    /// Queued acquires by the priority they asked for.
    public var waitingByPriority: [Priority: Int] = [:]
    /// The share of each capacity kept for high-priority grants.
    public var highReserve: Double = 0
    /// How long a waiter waits before its place rises one priority.
    public var priorityAging: TimeSpan = .zero
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
    /// An operator paused it: its waiters are passed over.
    public var paused = false
    /// Its share of each limit, when an operator capped it.
    public var cap: Double? = nil
    /// Its oldest tickets in flight, oldest first, at most `WorkerSnapshot.listLimit`.
    public var tickets: [TicketSnapshot] = []
    /// Its waiters in queue order, at most `WorkerSnapshot.listLimit`.
    public var waiters: [WaiterSnapshot] = []

    /// The most tickets and waiters a worker's snapshot lists.
    public static let listLimit = 16
}

/// One ticket in flight.
public struct TicketSnapshot: Hashable, Sendable {
    public var ticket: TicketID
    /// How long ago it was granted.
    public var age: TimeSpan
    /// What it holds of the `tokens` budget.
    public var reserved: Int64
}

/// One queued acquire.
public struct WaiterSnapshot: Hashable, Sendable {
    public var priority: Priority
    /// Its estimate in tokens.
    public var estimate: Int64
    /// How long it has waited.
    public var waited: TimeSpan
}

/// The waiter at the head of the queue.
public struct HeadSnapshot: Hashable, Sendable {
    public var worker: String
    /// The priority it asked for.
    public var priority: Priority = .normal
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
        let listed = workerLists(now: now)
        let workerSnapshots = workers.map { name, ledger in
            let spent = ledger.window.total(at: now)
            let tickets = listed.tickets[name] ?? []
            return WorkerSnapshot(
                worker: name, used: spent.tokens, requests: spent.requests, inFlight: ledger.inFlight,
                waiting: ledger.waiting, lastSeen: now - ledger.lastSeen, oldestGrant: tickets.first?.age,
                paused: ledger.paused, cap: ledger.cap, tickets: tickets, waiters: listed.waiters[name] ?? []
            )
        }.sorted { $0.worker < $1.worker }
        let head = configuration.policy == .reserving ? self.head(now: now) : queue.oldest
        let headSnapshot = head.map { waiter in
            HeadSnapshot(
                worker: waiter.worker, priority: waiter.priority, demand: waiter.demand,
                admissibleAt: admissibleAt(waiter, now: now), oversized: isOversized(waiter.demand, priority: waiter.priority)
            )
        }
        var waitingByPriority: [Priority: Int] = [:]
        for priority in Priority.allCases { waitingByPriority[priority] = queue.count(of: priority) }
        return GateSnapshot(
            state: state, window: configuration.window, threshold: configuration.threshold,
            algorithm: configuration.algorithm, sendMargin: configuration.sendMargin, budgets: budgets,
            inFlight: tickets.count, waiting: queue.count, waitingByPriority: waitingByPriority,
            highReserve: configuration.highReserve, priorityAging: configuration.priorityAging,
            cooldownRemaining: cooling ? cooldownUntil.map { $0 - now } : nil,
            cooldownWorker: cooling ? cooldownWorker : nil, workers: workerSnapshots, head: headSnapshot
        )
    }

    /// Whether `demand` exceeds what grants of `priority` may fill (threshold x limit, less the
    /// high reserve below high priority) in some configured budget.
    public func isOversized(_ demand: BudgetAmounts, priority: Priority = .high) -> Bool {
        configuration.budgets.contains { kind in
            configuration.capacity(of: kind, for: priority).map { demand[kind] > $0 } ?? false
        }
    }

    /// Each worker's oldest tickets (oldest first) and first waiters (in queue order: by
    /// priority, then arrival), at most `WorkerSnapshot.listLimit` of each.
    private func workerLists(now: Instant) -> (tickets: [String: [TicketSnapshot]], waiters: [String: [WaiterSnapshot]]) {
        var tickets: [String: [TicketSnapshot]] = [:]
        for ticket in self.tickets.values.sorted(by: { ($0.grantedAt, $0.id.rawValue) < ($1.grantedAt, $1.id.rawValue) }) {
            guard tickets[ticket.worker, default: []].count < WorkerSnapshot.listLimit else { continue }
            tickets[ticket.worker, default: []].append(
                TicketSnapshot(ticket: ticket.id, age: now - ticket.grantedAt, reserved: ticket.reserved.tokens)
            )
        }
        var waiters: [String: [WaiterSnapshot]] = [:]
        for waiter in queue.all where waiters[waiter.worker, default: []].count < WorkerSnapshot.listLimit {
            waiters[waiter.worker, default: []].append(
                WaiterSnapshot(priority: waiter.priority, estimate: waiter.demand.tokens, waited: now - waiter.enqueuedAt)
            )
        }
        return (tickets, waiters)
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
