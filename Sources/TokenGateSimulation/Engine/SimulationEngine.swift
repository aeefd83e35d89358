import HeapModule
import TokenGateCore

/// One run in virtual time: one job set, one provider, one policy. A discrete-event loop: a heap of
/// events ordered by (instant, sequence); the gate is driven only by the calls the workers make and
/// by one timer armed at its `nextWakeUp`, never by stepping time.
struct SimulationEngine<Provider: RateLimitedProvider>: DiscreteEventEngine {
    let jobs: JobSet
    let simulationCase: SimulationCase
    let settings: SimulationSettings
    var provider: Provider
    var gate: Gate?
    var events = Heap<ScheduledEvent>()
    var nextSequence: UInt64 = 0
    var now = Instant.zero
    var workers: [WorkerProgress]
    let workerNames: [String]
    /// The worker of each queued acquire.
    var waitingWorkers: [WaiterID: Int] = [:]
    /// The instant the gate timer is armed for, if any, and the generation of the live timer.
    var armedTimer: Instant?
    var timerGeneration: UInt64 = 0
    var metrics = RunMetrics()
    /// Draws each request's delay from its grant to the provider.
    var sendDelays: Xoshiro256StarStar

    init(jobs: JobSet, simulationCase: SimulationCase, settings: SimulationSettings, provider: Provider) throws(SimulationError) {
        self.jobs = jobs
        self.simulationCase = simulationCase
        self.settings = settings
        self.provider = provider
        self.workers = Array(repeating: WorkerProgress(), count: jobs.workerCount)
        self.workerNames = (0..<jobs.workerCount).map { "worker-\($0)" }
        self.sendDelays = Xoshiro256StarStar(seed: settings.seed ^ 0x5E4D_DE1A)
        // The lease must outlast every request, or an unsettled ticket would be charged twice.
        let lease = max(.seconds(600), jobs.longestDuration * 2)
        do {
            let configuration = try simulationCase.policy.gateConfiguration(
                limit: settings.limit, window: settings.window, lease: lease, sendMargin: settings.sendMargin
            )
            self.gate = configuration.map { Gate(configuration: $0) }
        } catch {
            throw .configuration(error)
        }
    }

    /// Runs every worker's list to the end.
    mutating func run() throws(SimulationError) -> SimulationResult {
        for (worker, requests) in jobs.requestsByWorker.enumerated() {
            if let first = requests.first {
                schedule(.wantsToSend(worker: worker), at: .zero + first.delayBefore)
            } else {
                workers[worker].finishedAt = .zero
                metrics.finishedWorkers += 1
            }
        }
        if jobs.workload.shape.background != nil, metrics.finishedWorkers < workers.count {
            schedule(.backgroundSends, at: .zero)
        }
        try runEvents()
        let unfinished = workers.filter { $0.finishedAt == nil }.count
        guard unfinished == 0 else { throw .stalled(unfinishedWorkers: unfinished, at: now) }
        return SimulationResult(simulationCase: simulationCase, jobs: jobs, settings: settings, metrics: metrics)
    }

    var eventCount: Int {
        get { metrics.events }
        set { metrics.events = newValue }
    }

    var maximumEvents: Int { settings.maximumEvents }

    mutating func advanceGates() { gate?.advance(to: now) }
}
