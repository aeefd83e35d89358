import TokenGateCore

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
