/// Which simulations a `tokengate bench sim` run makes, in the order its report lists them:
/// provider, workload, estimates, workers, then the policies side by side.
public struct BenchmarkPlan: Hashable, Sendable {
    /// What every simulation shares: seed, limit, window, requests per worker.
    public var settings: SimulationSettings
    /// Provider models, one table each.
    public var providers: [ProviderModel]
    /// Workloads, in report order.
    public var workloads: [Workload]
    /// Estimate modes, in report order.
    public var estimates: [EstimateMode]
    /// Worker counts, in report order.
    public var workerCounts: [Int]
    /// Policies, side by side in every group.
    public var policies: [SimulatedPolicy]

    /// The default run: both providers, every workload with both estimate modes, 8, 64 and 256
    /// workers, and the four standard policies.
    public init(
        settings: SimulationSettings = SimulationSettings(), providers: [ProviderModel] = ProviderModel.allCases,
        workloads: [Workload] = Workload.allCases, estimates: [EstimateMode] = EstimateMode.allCases,
        workerCounts: [Int] = [8, 64, 256], policies: [SimulatedPolicy] = SimulatedPolicy.standard
    ) {
        self.settings = settings
        self.providers = providers
        self.workloads = workloads
        self.estimates = estimates
        self.workerCounts = workerCounts
        self.policies = policies
    }

    /// Every case, in report order.
    public var cases: [SimulationCase] {
        var cases: [SimulationCase] = []
        for provider in providers {
            for workload in workloads {
                for estimates in self.estimates {
                    for workers in workerCounts {
                        for policy in policies(for: workload) {
                            cases.append(SimulationCase(
                                provider: provider, workload: workload, estimates: estimates, workers: workers, policy: policy
                            ))
                        }
                    }
                }
            }
        }
        return cases
    }

    /// The policies of `workload`'s groups: `policies`, and, on a workload with an unseen second
    /// consumer, each tokengate policy followed by the same with provider feedback.
    public func policies(for workload: Workload) -> [SimulatedPolicy] {
        guard workload.shape.background != nil else { return policies }
        return policies.flatMap { policy -> [SimulatedPolicy] in
            if case .tokengate(let threshold, let algorithm) = policy {
                return [policy, .tokengateFeedback(threshold: threshold, algorithm: algorithm)]
            }
            return [policy]
        }
    }

    /// Runs every case one after the other; `progress` hears (done, total) after each.
    public func run(progress: (Int, Int) -> Void = { _, _ in }) throws(SimulationError) -> BenchmarkReport {
        let cases = self.cases
        var results: [SimulationResult] = []
        results.reserveCapacity(cases.count)
        for simulationCase in cases {
            results.append(try Simulation.run(simulationCase, settings: settings))
            progress(results.count, cases.count)
        }
        return BenchmarkReport(plan: self, results: results)
    }
}
