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
