/// A grant the gate made: the ticket to report or release, and how long the acquire waited.
public struct GateGrant: Hashable, Sendable {
    public let waiter: WaiterID
    public let ticket: TicketID
    public let worker: String
    public let waited: TimeSpan
    /// The amounts reserved for this ticket.
    public let reserved: BudgetAmounts
}

/// What became of an acquire.
public enum AcquireDecision: Hashable, Sendable {
    /// Granted at once.
    case granted(GateGrant)
    /// Queued; its outcome comes later through `takeOutcomes()`.
    case queued(WaiterID)
    /// Not admissible and its deadline had already passed.
    case timedOut(WaiterID)
}

/// A queued acquire resolved by the passage of time or by another call.
public enum WaiterOutcome: Hashable, Sendable {
    case granted(GateGrant)
    case timedOut(WaiterID)

    public var waiter: WaiterID {
        switch self {
        case .granted(let grant): grant.waiter
        case .timedOut(let waiter): waiter
        }
    }
}

/// What a report did with its ticket. The usage is recorded either way.
public enum SettleResult: Hashable, Sendable {
    /// The ticket's reservation was replaced by the usage.
    case settled
    /// No such ticket (never granted, already settled or released, or charged at lease expiry).
    case unknownTicket
    /// No ticket was given.
    case ticketless
}

/// What withdrawing an owner dropped.
public struct Withdrawal: Hashable, Sendable {
    public var waitersDropped: [WaiterID]
    public var ticketsReleased: [TicketID]
}
