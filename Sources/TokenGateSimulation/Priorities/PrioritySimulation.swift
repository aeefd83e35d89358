import TokenGateCore

/// Runs a `PriorityScenario` against a `Gate` in virtual time, deterministically for its seed.
public enum PrioritySimulation {
    /// One run of `scenario` with the gate ordering its queue by `mode`.
    public static func run(_ scenario: PriorityScenario, mode: PriorityMode) throws -> PriorityRunResult {
        var reserve = 0.0
        if case .priorities(let kept) = mode { reserve = kept }
        let configuration = try GateConfiguration(
            tokenLimit: scenario.limit, window: scenario.window, threshold: scenario.threshold, highReserve: reserve
        )
        var run = Run(scenario: scenario, mode: mode, gate: Gate(configuration: configuration))
        run.start()
        try run.loop()
        return run.result()
    }

    /// One worker's next step.
    private enum Step {
        case send(at: Instant)
        case report(at: Instant, ticket: TicketID, tokens: Int64)
        case waiting(WaiterID, since: Instant)

        var instant: Instant? {
            switch self {
            case .send(let at), .report(let at, _, _): at
            case .waiting: nil
            }
        }
    }

    private struct Worker {
        let name: String
        let interactive: Bool
        var random: Xoshiro256StarStar
        var step: Step
        var pendingTokens: Int64 = 0
    }

    private struct Run {
        let scenario: PriorityScenario
        let mode: PriorityMode
        var gate: Gate
        var workers: [Worker] = []
        var waiterOwners: [WaiterID: Int] = [:]
        var interactiveWaits: [Int64] = []
        var longestBatchWait: TimeSpan = .zero
        var batchGrants = 0
        var batchTokens: Int64 = 0
        var now = Instant.zero

        init(scenario: PriorityScenario, mode: PriorityMode, gate: Gate) {
            self.scenario = scenario
            self.mode = mode
            self.gate = gate
        }

        mutating func start() {
            let count = scenario.interactiveWorkers + scenario.batchWorkers
            for index in 0..<count {
                let interactive = index < scenario.interactiveWorkers
                var random = Xoshiro256StarStar(seed: scenario.seed &* 1_000_003 &+ UInt64(index))
                // Everyone starts within the first second, interactive ones after a think time.
                let offset = interactive ? random.exponential(mean: scenario.thinkTime.seconds) : random.uniform()
                workers.append(Worker(
                    name: interactive ? "interactive-\(index)" : "batch-\(index)", interactive: interactive,
                    random: random, step: .send(at: .seconds(offset))
                ))
            }
        }

        mutating func loop() throws {
            let end = Instant.zero + scenario.duration
            while true {
                let next = [workers.compactMap(\.step.instant).min(), gate.nextWakeUp(now: now)].compactMap { $0 }.min()
                guard let next, next <= end else { break }
                now = max(now, next)
                gate.advance(to: now)
                deliverOutcomes()
                for index in workers.indices where workers[index].step.instant.map({ $0 <= now }) ?? false {
                    try act(index)
                }
            }
            now = end
            for worker in workers where !worker.interactive {
                if case .waiting(_, let since) = worker.step { longestBatchWait = max(longestBatchWait, end - since) }
            }
        }

        private mutating func act(_ index: Int) throws {
            switch workers[index].step {
            case .send:
                let median = workers[index].interactive ? scenario.interactiveTokens : scenario.batchTokens
                let drawn = workers[index].random.logNormal(median: median, sigma: 0.5).rounded()
                let tokens = Int64(min(Double(TokenCount.maximum), max(1, drawn)))
                workers[index].pendingTokens = tokens
                let priority: Priority
                switch mode {
                case .fifo: priority = .normal
                case .priorities: priority = workers[index].interactive ? .high : .low
                }
                let estimate = try Estimate(tokens: tokens)
                let decision = gate.acquire(worker: workers[index].name, estimate: estimate, priority: priority, now: now)
                deliverOutcomes()
                switch decision {
                case .granted(let grant): granted(index, grant)
                case .queued(let waiter):
                    workers[index].step = .waiting(waiter, since: now)
                    waiterOwners[waiter] = index
                case .timedOut: workers[index].step = .send(at: now + .seconds(1))
                }
            case .report(_, let ticket, let tokens):
                let usage = try Usage(input: tokens, output: 0)
                gate.settle(ticket: ticket, usage: usage, now: now)
                let think = workers[index].interactive
                    ? workers[index].random.exponential(mean: scenario.thinkTime.seconds) : 0
                workers[index].step = .send(at: now + .seconds(think))
                deliverOutcomes()
            case .waiting:
                break
            }
        }

        private mutating func deliverOutcomes() {
            for outcome in gate.takeOutcomes() {
                guard case .granted(let grant) = outcome, let index = waiterOwners.removeValue(forKey: grant.waiter) else { continue }
                granted(index, grant)
            }
        }

        private mutating func granted(_ index: Int, _ grant: Grant) {
            let tokens = workers[index].pendingTokens
            if workers[index].interactive {
                interactiveWaits.append(grant.waited.milliseconds)
            } else {
                longestBatchWait = max(longestBatchWait, grant.waited)
                batchGrants += 1
                batchTokens += tokens
            }
            let service = max(0.2, workers[index].random.exponential(mean: scenario.serviceTime.seconds))
            workers[index].step = .report(at: now + .seconds(service), ticket: grant.ticket, tokens: tokens)
        }

        func result() -> PriorityRunResult {
            let minutes = max(scenario.duration.seconds / 60, 1e-9)
            return PriorityRunResult(
                mode: mode, interactiveWaitsMs: interactiveWaits.sorted(), longestBatchWaitMs: longestBatchWait.milliseconds,
                batchGrants: batchGrants, batchTokensPerMinute: Int64((Double(batchTokens) / minutes).rounded())
            )
        }
    }
}
