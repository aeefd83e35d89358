import Testing
import TokenGateCore
@testable import TokenGateSimulation

@Suite("A second, unseen consumer of the same limit")
struct SharedLimitTests {
    /// A small, fast case where the limit binds: 256 workers x 2 requests against 600,000 tokens
    /// per 20 s window, plus the unseen consumer's quarter of it.
    static func run(_ policy: SimulatedPolicy, provider: ProviderModel) throws -> SimulationResult {
        try Simulation.run(
            SimulationCase(provider: provider, workload: .shared, estimates: .exact, workers: 256, policy: policy),
            settings: SimulationSettings(seed: 1, limit: 600_000, window: .seconds(20), requestsPerWorker: 2)
        )
    }

    /// On both provider models (measured on the sliding window at 0.90: 82 429s without feedback,
    /// 2 with; at 0.95, 65 and 11), now that the provider's reset means "fully replenished" and a
    /// lower reading never undoes external usage faster than it fades.
    @Test(
        "provider feedback makes fewer 429s than the cooldown alone",
        arguments: [ProviderModel.bucket, .window], [0.9, 0.95])
    func feedbackReducesOvershoots(provider: ProviderModel, threshold: Double) throws {
        let without = try Self.run(.tokengate(threshold: threshold), provider: provider)
        let with = try Self.run(.tokengateFeedback(threshold: threshold), provider: provider)
        #expect(without.overshoots > 0)
        #expect(with.overshoots < without.overshoots)
        for result in [without, with] {
            #expect(result.requests == 256 * 2)
            #expect(result.backgroundTokens > 0)
            #expect(result.stalledWakeUps == 0)
            #expect(result.unknownTickets == 0)
        }
    }

    @Test("the shared workload is the same every time, feedback included")
    func deterministic() throws {
        let plan = BenchmarkPlan(
            settings: smallSettings(requests: 2), workloads: [.shared], workerCounts: [40]
        )
        let first = try plan.run()
        let second = try plan.run()
        #expect(first.render(.csv) == second.render(.csv))
        #expect(first.results.contains { $0.simulationCase.policy == .tokengateFeedback(threshold: 0.9) })
    }

    @Test("feedback variants appear only on a workload with an unseen consumer")
    func feedbackOnlyOnShared() {
        let plan = BenchmarkPlan()
        #expect(plan.policies(for: .steady) == SimulatedPolicy.standard)
        // One feedback variant after each tokengate policy (0.90, 0.95 and 1.00).
        #expect(plan.policies(for: .shared).count == SimulatedPolicy.standard.count + 3)
    }

    @Test("the providers report remaining rounded down to thousands and when they are fully replenished")
    func providerReports() {
        var window = SlidingWindowProvider(limit: 100_000, window: .seconds(60))
        #expect(window.offer(12_345, at: at(1)).isAccepted)
        #expect(window.offer(1_000, at: at(5)).isAccepted)
        let windowReport = window.report(at: at(6))
        #expect(windowReport.remaining == 86_000)
        // Not when the oldest charge leaves (61 s): the window is full again when the newest does.
        #expect(windowReport.reset == at(65))
        var bucket = TokenBucketProvider(limit: 60_000, window: .seconds(60))
        #expect(bucket.offer(30_500, at: at(0)).isAccepted)
        let bucketReport = bucket.report(at: at(0))
        #expect(bucketReport.remaining == 29_000)
        #expect(bucketReport.reset == at(30.5))
    }
}
