import TokenGateCore

/// An interactive-plus-batch workload for comparing FIFO with priorities: a few interactive
/// workers each send one request at a time after a think time, many batch workers each send one
/// request after another without pause. Every request takes a service time, then reports its
/// usage (its estimate: the comparison is about order, not estimates).
public struct PriorityScenario: Hashable, Sendable {
    public var seed: UInt64
    /// Tokens per window.
    public var limit: Int64
    public var window: TimeSpan
    public var threshold: Double
    /// How long the workload runs (virtual time).
    public var duration: TimeSpan
    public var interactiveWorkers: Int
    public var batchWorkers: Int
    /// Median tokens of an interactive request (log-normal, sigma 0.5).
    public var interactiveTokens: Double
    /// Median tokens of a batch request (log-normal, sigma 0.5).
    public var batchTokens: Double
    /// Mean think time between an interactive worker's requests (exponential).
    public var thinkTime: TimeSpan
    /// Mean time from grant to report (exponential, at least 0.2 s).
    public var serviceTime: TimeSpan

    public init(
        seed: UInt64 = 1, limit: Int64 = GateConfiguration.defaultTokenLimit, window: TimeSpan = .seconds(60),
        threshold: Double = 0.9, duration: TimeSpan = .seconds(1800), interactiveWorkers: Int = 4, batchWorkers: Int = 48,
        interactiveTokens: Double = 4_000, batchTokens: Double = 30_000, thinkTime: TimeSpan = .seconds(20),
        serviceTime: TimeSpan = .seconds(8)
    ) {
        self.seed = seed
        self.limit = limit
        self.window = window
        self.threshold = threshold
        self.duration = duration
        self.interactiveWorkers = interactiveWorkers
        self.batchWorkers = batchWorkers
        self.interactiveTokens = interactiveTokens
        self.batchTokens = batchTokens
        self.thinkTime = thinkTime
        self.serviceTime = serviceTime
    }
}

/// How the scenario's gate orders its queue.
public enum PriorityMode: Hashable, Sendable, CustomStringConvertible {
    /// Everyone at normal priority: first come, first served.
    case fifo
    /// Interactive requests at high, batch at low, with `reserve` of each capacity kept for high.
    case priorities(reserve: Double)

    public var description: String {
        switch self {
        case .fifo: "fifo"
        case .priorities(let reserve): reserve > 0 ? "priorities, reserve-high \(reserve)" : "priorities"
        }
    }
}

/// What one run measured.
public struct PriorityRunResult: Hashable, Sendable {
    public var mode: PriorityMode
    /// Waits of the interactive requests granted, in milliseconds, sorted.
    public var interactiveWaitsMs: [Int64]
    /// The longest a batch request waited: granted, or still waiting at the end.
    public var longestBatchWaitMs: Int64
    /// Batch requests granted.
    public var batchGrants: Int
    /// Tokens granted to batch requests per minute of the run.
    public var batchTokensPerMinute: Int64

    /// The `fraction` quantile of the interactive waits (nearest rank); 0 when there are none.
    public func interactiveWaitMs(quantile fraction: Double) -> Int64 {
        guard !interactiveWaitsMs.isEmpty else { return 0 }
        let rank = Int((fraction * Double(interactiveWaitsMs.count)).rounded(.up))
        return interactiveWaitsMs[min(interactiveWaitsMs.count - 1, max(0, rank - 1))]
    }
}
