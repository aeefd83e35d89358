import DequeModule
import HeapModule

/// The limiter: budgets over a sliding window, reservations, a queue ordered by priority (FIFO
/// within one), pause and cooldown, and per-worker pause and caps.
///
/// A pure value: every call takes `now` and nothing reads a clock, sleeps or locks. One owner
/// mutates it (an actor or an event loop). Calls that can resolve queued acquires leave the results
/// in `takeOutcomes()`; `nextWakeUp(now:)` says when to call `advance(to:)` next, so nothing polls.
public struct Gate: Sendable {
    public private(set) var configuration: GateConfiguration
    /// Usage and reservations at their place on the provider's timeline.
    var timeline: Timeline
    var tickets: [TicketID: Ticket] = [:]
    /// Tickets in grant order, for lease expiry; settled ones are skipped lazily.
    var leaseOrder: Deque<TicketID> = []
    var queue = WaitQueue()
    /// Deadlines of queued waiters, earliest first; resolved ones are skipped lazily.
    var deadlines = Heap<DeadlineEntry>()
    /// The deadline of every queued waiter that has one: tells live heap entries from stale ones.
    var queuedDeadlines: [WaiterID: Instant] = [:]
    var workers: [String: WorkerLedger] = [:]
    var fleetMean = MeanCost()
    var isPaused = false
    var cooldownUntil: Instant?
    var cooldownWorker: String?
    /// Spending the provider reported and the window cannot see, per budget.
    var external: [BudgetKind: UnseenSpending] = [:]
    /// The provider's latest word per budget.
    var providerObservations: [BudgetKind: ProviderObservation] = [:]
    /// The numbers of this gate's tickets and waiters (distinct across the gates of a `PoolSet`).
    let identifiers: IdentifierSpace
    var nextTicketNumber: UInt64
    var nextWaiterNumber: UInt64
    var pendingOutcomes: [WaiterOutcome] = []
    var nextPruneAt: Instant?
    /// Whether this gate decides its own grants (see `decideAdmissionElsewhere()`).
    public internal(set) var decidesAdmission = true

    /// A gate with an empty window, running; its tickets and waiters are numbered in `identifiers`.
    public init(configuration: GateConfiguration, identifiers: IdentifierSpace = .single) {
        self.configuration = configuration
        self.identifiers = identifiers
        self.nextTicketNumber = identifiers.first
        self.nextWaiterNumber = identifiers.first
        self.timeline = Timeline(configuration: configuration)
    }

    // MARK: Acquire

    /// Asks for a grant for `worker`. Granted at once when no waiter goes before it (see
    /// `WaitQueue`) and the request is admissible; otherwise queued until granted, withdrawn, or
    /// `deadline`. Outcomes that bringing the gate to `now` resolved (see `takeOutcomes()`)
    /// happened before it.
    public mutating func acquire(
        worker: String, estimate: Estimate = .unknown, priority: Priority = .normal, deadline: Instant? = nil,
        owner: OwnerID? = nil, now: Instant
    ) -> AcquireDecision {
        advance(to: now)
        let waiter = Waiter(
            id: WaiterID(rawValue: nextWaiterNumber), worker: worker, owner: owner,
            demand: demand(for: estimate, worker: worker), priority: priority, enqueuedAt: now, deadline: deadline,
            nextRecheck: now + recheckInterval
        )
        nextWaiterNumber += identifiers.stride
        touch(worker, now: now)
        if decidesAdmission, case .seed = configuration.policy, admits(waiter.demand, priority: priority, now: now) {
            return .granted(grant(waiter, now: now))
        }
        enqueue(waiter)
        if decidesAdmission, case .reserving = configuration.policy {
            // The queue was as far admitted as it could be: only the newcomer can go now.
            admitQueue(now: now)
            if let index = pendingOutcomes.lastIndex(where: { $0.waiter == waiter.id }),
                case .granted(let grant) = pendingOutcomes.remove(at: index)
            {
                return .granted(grant)
            }
        }
        if let deadline, deadline <= now, let removed = queue.remove(waiter.id) {
            dequeued(removed)
            return .timedOut(waiter.id)
        }
        return .queued(waiter.id)
    }

    private mutating func enqueue(_ waiter: Waiter) {
        queue.append(waiter)
        workers[waiter.worker]?.waiting += 1
        if let deadline = waiter.deadline {
            deadlines.insert(DeadlineEntry(deadline: deadline, waiter: waiter.id))
            queuedDeadlines[waiter.id] = deadline
        }
    }

    /// Withdraws one queued acquire (its client gave up). Returns whether it was queued.
    @discardableResult
    public mutating func cancel(_ waiter: WaiterID, now: Instant) -> Bool {
        guard let removed = queue.remove(waiter) else { return false }
        dequeued(removed)
        advance(to: now)
        return true
    }

    // MARK: Settle

    /// Records what a request really cost. With a known ticket the reservation is replaced by the
    /// usage at the ticket's place on the timeline (its grant instant, where the provider charged
    /// the request); with an unknown or no ticket the usage counts from now, as a request of its
    /// own that the provider has already charged.
    @discardableResult
    public mutating func settle(ticket: TicketID?, usage: Usage, worker: String? = nil, now: Instant) -> SettleResult {
        advance(to: now)
        let amounts = usage.amounts(countingCacheRead: configuration.countsCacheRead)
        let result: SettleResult
        let name: String
        let place: Instant
        if let ticket, let held = removeTicket(ticket) {
            result = .settled
            name = worker ?? held.worker
            if case .reserving = configuration.policy {
                place = held.grantedAt
                timeline.settle(reserved: held.reserved, actual: amounts, at: place, now: now)
                correctExternalUsage(grantedAt: held.grantedAt, reserved: held.reserved, actual: amounts)
            } else {
                // The seed counts usage when it is recorded, faults included.
                place = now
                timeline.record(amounts, at: place, now: now)
            }
        } else {
            result = ticket == nil ? .ticketless : .unknownTicket
            name = worker ?? "unknown"
            place = timeline.ticketlessPlace(now: now)
            timeline.record(amounts, at: place, now: now)
        }
        recordForWorker(amounts, worker: name, at: place, now: now)
        workers[name]?.mean.add(amounts)
        fleetMean.add(amounts)
        admitQueue(now: now)
        return result
    }

    /// Drops a ticket's reservation without recording usage. Returns whether the ticket was held.
    @discardableResult
    public mutating func release(ticket: TicketID, now: Instant) -> Bool {
        advance(to: now)
        guard let held = removeTicket(ticket) else { return false }
        releaseReservation(of: held, now: now)
        admitQueue(now: now)
        return true
    }

    /// Drops every waiter of `owner` and releases its tickets (its connection closed).
    @discardableResult
    public mutating func withdraw(owner: OwnerID, now: Instant) -> Withdrawal {
        withdraw(now: now, waiters: { $0.owner == owner }, tickets: { $0.owner == owner })
    }

    /// Drops every waiter of `worker` and releases its tickets, whoever owns them.
    @discardableResult
    public mutating func withdraw(worker: String, now: Instant) -> Withdrawal {
        withdraw(now: now, waiters: { $0.worker == worker }, tickets: { $0.worker == worker })
    }

    private mutating func withdraw(
        now: Instant, waiters leavesQueue: (Waiter) -> Bool, tickets isReleased: (Ticket) -> Bool
    ) -> Withdrawal {
        advance(to: now)
        let leaving = queue.removeAll(where: leavesQueue)
        leaving.forEach { dequeued($0) }
        let released = tickets.values.filter(isReleased).map(\.id)
        for ticket in released {
            if let held = removeTicket(ticket) { releaseReservation(of: held, now: now) }
        }
        admitQueue(now: now)
        return Withdrawal(
            waitersDropped: leaving.map(\.id), ticketsReleased: released.sorted { $0.rawValue < $1.rawValue }
        )
    }

    // MARK: Operator controls

    /// No new grants until `resume`; waiters keep their place.
    public mutating func pause(now: Instant) {
        advance(to: now)
        isPaused = true
    }

    /// Grants again, in queue order.
    public mutating func resume(now: Instant) {
        isPaused = false
        advance(to: now)
    }

    /// The provider said 429: no grants until `until`. A later cooldown extends, never shortens.
    /// Returns when the cooldown ends.
    @discardableResult
    public mutating func throttle(until: Instant, worker: String? = nil, now: Instant) -> Instant {
        advance(to: now)
        if until > now, until > (cooldownUntil ?? now) {
            cooldownUntil = until
            cooldownWorker = worker
        }
        return cooldownUntil ?? now
    }

    /// Changes a budget's limit (nil turns input, output or requests off); the queue is
    /// re-evaluated at once.
    public mutating func setLimit(_ limit: Int64?, for kind: BudgetKind = .tokens, now: Instant) throws(ConfigurationError) {
        try configuration.setLimit(limit, for: kind)
        advance(to: now)
    }

    /// Changes the threshold; the queue is re-evaluated at once.
    public mutating func setThreshold(_ threshold: Double, now: Instant) throws(ConfigurationError) {
        try configuration.setThreshold(threshold)
        advance(to: now)
    }

    // MARK: Time

    /// Brings the gate to `now`: usage slides out of the window, overdue tickets are charged,
    /// cooldowns end, deadlines expire and the queue is admitted as far as it can be.
    public mutating func advance(to now: Instant) {
        if case .seed = configuration.policy {
            // The seed's waiters poll on their own: replay every re-check that fell before `now`.
            while let recheck = queue.all.lazy.map(\.nextRecheck).min(), recheck < now {
                step(to: recheck)
            }
        }
        step(to: now)
    }

    private mutating func step(to now: Instant) {
        timeline.advance(to: now, configuration: configuration)
        chargeExpiredLeases(now: now)
        if let until = cooldownUntil, until <= now {
            cooldownUntil = nil
            cooldownWorker = nil
        }
        expireDeadlines(now: now)
        dropFadedExternalUsage(now: now)
        admitQueue(now: now)
        pruneIdleWorkers(now: now)
    }

    /// The outcomes of queued acquires resolved since the last call, in the order they happened.
    public mutating func takeOutcomes() -> [WaiterOutcome] {
        defer { pendingOutcomes.removeAll(keepingCapacity: true) }
        return pendingOutcomes
    }

    /// Whether any outcome waits to be taken.
    public var hasOutcomes: Bool { !pendingOutcomes.isEmpty }
}

/// A waiter's deadline in the deadline heap.
struct DeadlineEntry: Comparable, Sendable {
    let deadline: Instant
    let waiter: WaiterID

    static func < (lhs: DeadlineEntry, rhs: DeadlineEntry) -> Bool {
        (lhs.deadline, lhs.waiter.rawValue) < (rhs.deadline, rhs.waiter.rawValue)
    }
}

extension Gate {
    /// Restores usage recorded before a restart, at the instant on this gate's clock when it was
    /// recorded (in the past); it counts from there as a grant placed then would.
    public mutating func restore(_ usage: Usage, worker: String, at instant: Instant, now: Instant) {
        let amounts = usage.amounts(countingCacheRead: configuration.countsCacheRead)
        timeline.record(amounts, at: instant, now: now)
        recordForWorker(amounts, worker: worker, at: instant, now: now)
        workers[worker]?.mean.add(amounts)
        fleetMean.add(amounts)
        advance(to: now)
    }

    /// Whether `ticket` is granted and not yet settled, released or expired.
    public func holds(_ ticket: TicketID) -> Bool { tickets[ticket] != nil }

    /// Whether `worker` has acquired or reported here (it is among the status's workers).
    public func knows(worker: String) -> Bool { workers[worker] != nil }

    /// Whether the gate is paused (by an operator).
    public var paused: Bool { isPaused }
}
