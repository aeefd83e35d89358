import TokenGateCore

/// The entry point: runs one simulation case.
public enum Simulation {
    /// Draws the case's job set from `settings.seed` and runs it in virtual time. The same case and
    /// settings always give the same result.
    public static func run(_ simulationCase: SimulationCase, settings: SimulationSettings) throws(SimulationError) -> SimulationResult {
        let jobs: JobSet
        do {
            jobs = try JobSet(
                workload: simulationCase.workload, workerCount: simulationCase.workers,
                requestsPerWorker: settings.requestsPerWorker, seed: settings.seed, limit: settings.limit,
                serviceTime: settings.serviceTime
            )
        } catch {
            throw .count(error)
        }
        return try run(simulationCase, jobs: jobs, settings: settings)
    }

    /// Runs `simulationCase` on a given job set (its workload and worker count are taken from it).
    public static func run(_ simulationCase: SimulationCase, jobs: JobSet, settings: SimulationSettings) throws(SimulationError) -> SimulationResult {
        switch simulationCase.provider {
        case .window:
            let provider = SlidingWindowProvider(limit: settings.limit, window: settings.window, retryAfter: settings.retryAfter)
            var engine = try SimulationEngine(jobs: jobs, simulationCase: simulationCase, settings: settings, provider: provider)
            return try engine.run()
        case .bucket:
            let provider = TokenBucketProvider(limit: settings.limit, window: settings.window, retryAfter: settings.retryAfter)
            var engine = try SimulationEngine(jobs: jobs, simulationCase: simulationCase, settings: settings, provider: provider)
            return try engine.run()
        }
    }
}
