/// A granted reservation as the gate keeps it.
struct Ticket: Sendable {
    let id: TicketID
    let worker: String
    let owner: OwnerID?
    let reserved: BudgetAmounts
    let grantedAt: Instant
    let leaseExpiresAt: Instant
    /// Whether an unsettled ticket is charged its reservation when its lease ends (a ticket
    /// recovered after a restart is not: it only stands in for usage until that leaves the window).
    var chargesAtLeaseEnd = true
}

/// A queued acquire as the gate keeps it.
struct Waiter: Sendable {
    let id: WaiterID
    let worker: String
    let owner: OwnerID?
    let demand: BudgetAmounts
    let priority: Priority
    let enqueuedAt: Instant
    let deadline: Instant?
    /// The seed policy's next re-check.
    var nextRecheck: Instant
}

/// What the gate knows of one worker.
struct WorkerLedger: Sendable {
    var window: SlidingWindow
    var mean = MeanCost()
    var inFlight = 0
    var waiting = 0
    /// What its tickets in flight hold.
    var reserved = BudgetAmounts.zero
    var lastSeen: Instant
    /// An operator paused this worker: its waiters are passed over.
    var paused = false
    /// An operator capped this worker: its used + reserved stays within cap x limit per budget.
    var cap: Double?

    /// Whether nothing keeps this ledger: no tickets, waiters, usage in the window or controls.
    var isIdle: Bool { inFlight == 0 && waiting == 0 && window.isEmpty && !paused && cap == nil }
}
