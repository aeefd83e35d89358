import HeapModule
import TokenGateCore

/// One run of the pools race in virtual time: workers of two model classes, each class limited by
/// its own provider (as Anthropic limits Opus and Sonnet apart), and tokengate's gates arranged as
/// one shared limit or one pool per class. Each worker acquires in its pool, sends when granted,
/// reports when its request ends; a 429 cools the worker's pool and the worker acquires again.
struct PoolRaceEngine<Provider: RateLimitedProvider>: DiscreteEventEngine {
    let jobs: JobSet
    let raceCase: PoolRaceCase
    let settings: PoolRaceSettings
    var providers: [Provider]
    var pools: PoolSet
    let classOfWorker: [ModelClass]
    let workerNames: [String]
    var events = Heap<ScheduledEvent>()
    var nextSequence: UInt64 = 0
    var now = Instant.zero
    var workers: [WorkerProgress]
    var waitingWorkers: [WaiterID: Int] = [:]
    var armedTimer: Instant?
    var timerGeneration: UInt64 = 0
    var metrics = [ClassMetrics(), ClassMetrics()]
    var eventCount = 0
    var sendDelays: Xoshiro256StarStar

    init(jobs: JobSet, raceCase: PoolRaceCase, settings: PoolRaceSettings, providers: [Provider]) throws(SimulationError) {
        self.jobs = jobs
        self.raceCase = raceCase
        self.settings = settings
        self.providers = providers
        let count = jobs.workerCount
        self.classOfWorker = (0..<count).map { settings.modelClass(ofWorker: $0, count: count) }
        self.workerNames = (0..<count).map { "worker-\($0)" }
        self.workers = Array(repeating: WorkerProgress(), count: count)
        self.sendDelays = Xoshiro256StarStar(seed: settings.common.seed ^ 0x5E4D_DE1A)
        for modelClass in classOfWorker { metrics[modelClass.rawValue].workers += 1 }
        let common = settings.common
        let lease = max(.seconds(600), jobs.longestDuration * 2)
        func gate(limit: Int64) throws(ConfigurationError) -> GateConfiguration {
            try GateConfiguration(
                tokenLimit: limit, window: common.window, threshold: raceCase.threshold, lease: lease, policy: .reserving,
                sendMargin: common.sendMargin
            )
        }
        let first = settings.limit(of: .first)
        let second = settings.limit(of: .second)
        do {
            switch raceCase.arrangement {
            case .sharedSmaller: pools = PoolSet(default: try gate(limit: min(first, second)))
            case .sharedSum: pools = PoolSet(default: try gate(limit: first.addingSaturating(second)))
            case .twoPools:
                let declaration = PoolSet.Declaration(
                    name: "b", models: [try ModelGlob("b")], configuration: try gate(limit: second)
                )
                pools = try PoolSet(default: try gate(limit: first), declarations: [declaration])
            }
        } catch let error as ConfigurationError {
            throw .configuration(error)
        } catch {
            throw .unexpected("the pools race's pool declaration was refused: \(error)")
        }
    }

    /// The pool worker `worker` acquires in.
    func pool(of worker: Int) -> Int {
        raceCase.arrangement == .twoPools ? classOfWorker[worker].rawValue : 0
    }

    func currentRequest(of worker: Int) -> SimulatedRequest {
        jobs.requestsByWorker[worker][workers[worker].current]
    }

    mutating func run() throws(SimulationError) -> PoolRaceResult {
        for (worker, requests) in jobs.requestsByWorker.enumerated() {
            if let first = requests.first { schedule(.wantsToSend(worker: worker), at: .zero + first.delayBefore) }
        }
        try runEvents()
        let unfinished = workers.enumerated().filter { $0.element.current < jobs.requestsByWorker[$0.offset].count }.count
        guard unfinished == 0 else { throw .stalled(unfinishedWorkers: unfinished, at: now) }
        let window = settings.common.window
        return PoolRaceResult(
            raceCase: raceCase,
            classes: ModelClass.allCases.map { metrics[$0.rawValue].outcome(limit: settings.limit(of: $0), window: window) }
        )
    }

    mutating func attempt(_ worker: Int) throws(SimulationError) {
        let estimate = currentRequest(of: worker).estimate(raceCase.estimates)
        let instant = now
        switch pools[pool: pool(of: worker)].acquire(worker: workerNames[worker], estimate: estimate, now: instant) {
        case .granted(let grant): try send(worker, ticket: grant.ticket)
        case .queued(let waiter): waitingWorkers[waiter] = worker
        case .timedOut: throw .unexpected("an acquire without a deadline timed out")
        }
    }

    mutating func send(_ worker: Int, ticket: TicketID) throws(SimulationError) {
        let sendDelay = settings.common.sendDelay
        guard sendDelay.nanoseconds > 0 else { return try arrive(worker, ticket: ticket) }
        let delay = TimeSpan(nanoseconds: Int64(sendDelays.uniform() * Double(sendDelay.nanoseconds)))
        schedule(.arrives(worker: worker, ticket: ticket), at: now + delay)
    }

    mutating func arrive(_ worker: Int, ticket: TicketID?) throws(SimulationError) {
        let request = currentRequest(of: worker)
        let modelClass = classOfWorker[worker].rawValue
        switch providers[modelClass].offer(request.tokens, at: now) {
        case .accepted:
            metrics[modelClass].waits.append((now - workers[worker].wantedAt).nanoseconds)
            metrics[modelClass].servedTokens += request.tokens
            workers[worker].ticket = ticket
            schedule(.finishes(worker: worker), at: now + request.duration)
        case .refused(_, let retryAfter):
            metrics[modelClass].overshoots += 1
            let instant = now
            let index = pool(of: worker)
            pools[pool: index].throttle(until: instant + retryAfter, worker: workerNames[worker], now: instant)
            if let ticket { pools.release(ticket: ticket, now: instant) }
            try attempt(worker)
        case .tooLarge:
            throw .requestNeverFits(tokens: request.tokens, limit: providers[modelClass].limit)
        }
    }

    mutating func finish(_ worker: Int) {
        let request = currentRequest(of: worker)
        if let ticket = workers[worker].ticket {
            pools.settle(ticket: ticket, usage: request.usage, worker: workerNames[worker], fallback: pool(of: worker), now: now)
            workers[worker].ticket = nil
        }
        workers[worker].current += 1
        if workers[worker].current < jobs.requestsByWorker[worker].count {
            schedule(.wantsToSend(worker: worker), at: now + currentRequest(of: worker).delayBefore)
        } else {
            let modelClass = classOfWorker[worker].rawValue
            metrics[modelClass].makespan = max(metrics[modelClass].makespan, now)
        }
    }

    mutating func dispatchGrants() throws(SimulationError) {
        while true {
            let outcomes = pools.takeOutcomes()
            guard !outcomes.isEmpty else { return }
            for outcome in outcomes {
                guard case .granted(let grant) = outcome else { throw .unexpected("a waiter without a deadline timed out") }
                guard let worker = waitingWorkers.removeValue(forKey: grant.waiter) else {
                    throw .unexpected("a grant for an unknown waiter \(grant.waiter)")
                }
                try send(worker, ticket: grant.ticket)
            }
        }
    }

    mutating func armTimer() {
        let next = pools.nextWakeUp(now: now)
        guard next != armedTimer else { return }
        armedTimer = next
        timerGeneration += 1
        guard var instant = next else { return }
        if instant <= now { instant = now + TimeSpan(nanoseconds: 1) }
        schedule(.gateTimer(generation: timerGeneration), at: instant)
    }

    var maximumEvents: Int { settings.common.maximumEvents }

    mutating func advanceGates() { pools.advance(to: now) }

    /// The race schedules no background sends.
    mutating func backgroundSends() {}
}
