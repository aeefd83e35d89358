import TokenGateCore

/// What one class of a pools race run got.
public struct ClassOutcome: Hashable, Sendable {
    /// The provider's limit of the class, in tokens per window.
    public let limit: Int64
    /// The class's workers.
    public let workers: Int
    /// Requests served.
    public let requests: Int
    /// Tokens served (real cost, charged when the provider accepted each request).
    public let servedTokens: Int64
    /// Served tokens / (the class's limit x the class's makespan / window): how much of its own
    /// limit the class used, from t = 0 to its last response.
    public let share: Double
    /// Requests of the class the provider refused with a 429.
    public let overshoots: Int
    /// Median and 99th percentile (nearest rank) of the wait from wanting to send to the provider
    /// accepting.
    public let waitMedian: TimeSpan
    public let waitP99: TimeSpan
    /// From t = 0 to the end of the class's last request.
    public let makespan: TimeSpan
}

/// What one run of the pools race measured, per class.
public struct PoolRaceResult: Hashable, Sendable {
    /// What was run.
    public let raceCase: PoolRaceCase
    /// The two classes' outcomes, A then B.
    public let classes: [ClassOutcome]

    /// The outcome of `modelClass`.
    public func outcome(_ modelClass: ModelClass) -> ClassOutcome { classes[modelClass.rawValue] }
}

/// What the pools race engine counts per class while it runs.
struct ClassMetrics: Sendable {
    var waits: [Int64] = []
    var servedTokens: Int64 = 0
    var overshoots = 0
    var makespan = Instant.zero
    var workers = 0

    func outcome(limit: Int64, window: TimeSpan) -> ClassOutcome {
        let makespan = self.makespan - Instant.zero
        let perWindow = Double(limit) * makespan.seconds / window.seconds
        let sorted = waits.sorted()
        return ClassOutcome(
            limit: limit, workers: workers, requests: waits.count, servedTokens: servedTokens,
            share: perWindow > 0 ? Double(servedTokens) / perWindow : 0, overshoots: overshoots,
            waitMedian: TimeSpan(nanoseconds: SimulationResult.nearestRank(0.5, of: sorted)),
            waitP99: TimeSpan(nanoseconds: SimulationResult.nearestRank(0.99, of: sorted)), makespan: makespan
        )
    }
}
