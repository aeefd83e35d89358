/// One simulation: a workload with an estimate mode and a worker count, against a provider model,
/// under a policy.
public struct SimulationCase: Hashable, Sendable {
    /// The provider model enforcing the limit.
    public var provider: ProviderModel
    /// The traffic.
    public var workload: Workload
    /// What the workers tell tokengate a request will cost.
    public var estimates: EstimateMode
    /// How many workers run at once, each through its own list of requests.
    public var workers: Int
    /// How the workers decide when to send.
    public var policy: SimulatedPolicy

    /// A case with every dimension given.
    public init(provider: ProviderModel, workload: Workload, estimates: EstimateMode, workers: Int, policy: SimulatedPolicy) {
        self.provider = provider
        self.workload = workload
        self.estimates = estimates
        self.workers = workers
        self.policy = policy
    }
}
