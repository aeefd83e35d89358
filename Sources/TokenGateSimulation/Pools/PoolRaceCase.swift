import TokenGateCore

/// What every run of the pools race shares: the common simulation settings (seed, window,
/// requests per worker, send margin and delay; `limit` is the first class's limit), the second
/// class's smaller limit and the share of workers that use it.
public struct PoolRaceSettings: Hashable, Sendable {
    /// Seed, window, requests per worker, send margin and delay; `limit` is class A's limit.
    public var common: SimulationSettings
    /// Class B's limit, in tokens per window.
    public var secondLimit: Int64
    /// The share of the workers (and so of the requests) on class B.
    public var secondShare: Double

    /// Class B gets a quarter of class A's limit and 30 % of the workers by default.
    public init(common: SimulationSettings = SimulationSettings(), secondLimit: Int64? = nil, secondShare: Double = 0.3) {
        self.common = common
        self.secondLimit = secondLimit ?? max(1, common.limit / 4)
        self.secondShare = secondShare
    }

    /// The provider's limit of `modelClass`.
    public func limit(of modelClass: ModelClass) -> Int64 {
        modelClass == .first ? common.limit : secondLimit
    }

    /// The class of worker `worker` of `count`: the workers of class B are spread evenly through
    /// the list (worker w is B when the running share of B passes a whole number at w).
    public func modelClass(ofWorker worker: Int, count: Int) -> ModelClass {
        let share = min(1, max(0, secondShare))
        let before = Int((Double(worker) * share).rounded(.down))
        let after = Int((Double(worker + 1) * share).rounded(.down))
        return after > before ? .second : .first
    }
}

/// One run of the pools race: a provider model, an estimate mode, a worker count, tokengate's
/// threshold, and how the daemon limits the two classes.
public struct PoolRaceCase: Hashable, Sendable {
    public var provider: ProviderModel
    public var estimates: EstimateMode
    public var workers: Int
    public var threshold: Double
    public var arrangement: PoolArrangement

    /// A case with every dimension given.
    public init(provider: ProviderModel, estimates: EstimateMode, workers: Int, threshold: Double, arrangement: PoolArrangement) {
        self.provider = provider
        self.estimates = estimates
        self.workers = workers
        self.threshold = threshold
        self.arrangement = arrangement
    }
}
