import TokenGateCore
/// Addition to contract v2: queued acquires by priority (Status and pool `queue_by_priority`).
public struct PriorityCounts: Codable, Sendable, Equatable {
    public var high: Int
    public var normal: Int
    public var low: Int

    public init(high: Int = 0, normal: Int = 0, low: Int = 0) {
        self.high = high
        self.normal = normal
        self.low = low
    }

    /// The count of `priority`.
    public subscript(priority: Priority) -> Int {
        get {
            switch priority {
            case .high: high
            case .normal: normal
            case .low: low
            }
        }
        set {
            switch priority {
            case .high: high = newValue
            case .normal: normal = newValue
            case .low: low = newValue
            }
        }
    }
}

/// Addition to contract v2: one of a worker's tickets in flight (Status worker `tickets`).
public struct TicketStatus: Codable, Sendable, Equatable {
    /// The ticket, as the grant gave it.
    public var ticket: String
    /// How long ago it was granted.
    public var ageMs: Int64
    /// What it holds of the `tokens` budget.
    public var reserved: Int64
    /// The pool that granted it.
    public var pool: String

    public init(ticket: String, ageMs: Int64, reserved: Int64, pool: String) {
        self.ticket = ticket
        self.ageMs = ageMs
        self.reserved = reserved
        self.pool = pool
    }

    enum CodingKeys: String, CodingKey {
        case ticket
        case ageMs = "age_ms"
        case reserved, pool
    }
}

/// Addition to contract v2: one of a worker's queued acquires (Status worker `waiters`).
public struct WaiterStatus: Codable, Sendable, Equatable {
    /// The priority it asked for.
    public var priority: Priority
    /// Its estimate in tokens.
    public var estimate: Int64
    /// How long it has waited.
    public var waitedMs: Int64
    /// The pool it waits in.
    public var pool: String

    public init(priority: Priority, estimate: Int64, waitedMs: Int64, pool: String) {
        self.priority = priority
        self.estimate = estimate
        self.waitedMs = waitedMs
        self.pool = pool
    }

    enum CodingKeys: String, CodingKey {
        case priority, estimate
        case waitedMs = "waited_ms"
        case pool
    }
}
