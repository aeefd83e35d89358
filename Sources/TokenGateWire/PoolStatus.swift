import TokenGateCore

/// Contract v2: one pool in the Status object's `pools`: its name, its model globs, and the v1
/// fields for its own limit.
public struct PoolStatus: Codable, Sendable, Equatable {
    public var name: String
    /// The globs of the models it takes (empty for `default`, which takes every other model).
    public var models: [String]
    public var state: GateState
    /// The pool's `tokens` limit per window.
    public var limit: Int64
    public var threshold: Double
    public var used: Int64
    public var reserved: Int64
    public var inFlight: Int
    public var waiting: Int
    /// Present only in cooldown.
    public var cooldownRemainingMs: Int64?
    public var budgets: [BudgetStatus]
    /// Addition to contract v2: the pool's queued acquires by priority.
    public var queueByPriority: PriorityCounts?

    public init(
        name: String, models: [String], state: GateState, limit: Int64, threshold: Double, used: Int64,
        reserved: Int64, inFlight: Int, waiting: Int, cooldownRemainingMs: Int64? = nil, budgets: [BudgetStatus],
        queueByPriority: PriorityCounts? = nil
    ) {
        self.queueByPriority = queueByPriority
        self.name = name
        self.models = models
        self.state = state
        self.limit = limit
        self.threshold = threshold
        self.used = used
        self.reserved = reserved
        self.inFlight = inFlight
        self.waiting = waiting
        self.cooldownRemainingMs = cooldownRemainingMs
        self.budgets = budgets
    }

    enum CodingKeys: String, CodingKey {
        case name, models, state, limit, threshold, used, reserved
        case inFlight = "in_flight"
        case waiting
        case cooldownRemainingMs = "cooldown_remaining_ms"
        case budgets
        case queueByPriority = "queue_by_priority"
    }
}
