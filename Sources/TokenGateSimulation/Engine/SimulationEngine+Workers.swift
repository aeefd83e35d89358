import TokenGateCore

extension SimulationEngine {
    /// The request `worker` wants to send, or has in flight.
    func currentRequest(of worker: Int) -> SimulatedRequest {
        jobs.requestsByWorker[worker][workers[worker].current]
    }

    /// The worker asks its policy for permission, and sends when it has it.
    mutating func attempt(_ worker: Int) throws(SimulationError) {
        switch simulationCase.policy {
        case .noLimiter:
            try send(worker, ticket: nil)
        case .seed, .tokengate, .tokengateFeedback:
            let estimate: Estimate
            if simulationCase.policy.takesEstimates {
                estimate = currentRequest(of: worker).estimate(simulationCase.estimates)
            } else {
                estimate = .unknown  // the seed limiter takes no estimates
            }
            let name = workerNames[worker]
            let instant = now
            switch gate?.acquire(worker: name, estimate: estimate, now: instant) {
            case .granted(let grant)?: try send(worker, ticket: grant.ticket)
            case .queued(let waiter)?: waitingWorkers[waiter] = worker
            case .timedOut?: throw .unexpected("an acquire without a deadline timed out")
            case nil: throw .unexpected("no gate under policy \(simulationCase.policy.key)")
            }
        }
    }

    /// Sends the worker's request: it reaches the provider after a random delay (uniform up to
    /// `sendDelay`, none without a limiter or with a zero delay).
    mutating func send(_ worker: Int, ticket: TicketID?) throws(SimulationError) {
        guard settings.sendDelay.nanoseconds > 0, simulationCase.policy != .noLimiter else {
            return try arrive(worker, ticket: ticket)
        }
        let delay = TimeSpan(nanoseconds: Int64(sendDelays.uniform() * Double(settings.sendDelay.nanoseconds)))
        schedule(.arrives(worker: worker, ticket: ticket), at: now + delay)
    }

    /// The worker's request reaches the provider at `now`.
    mutating func arrive(_ worker: Int, ticket: TicketID?) throws(SimulationError) {
        let request = currentRequest(of: worker)
        metrics.attempts += 1
        switch provider.offer(request.tokens, at: now) {
        case .accepted:
            metrics.waits.append((now - workers[worker].wantedAt).nanoseconds)
            metrics.sentAt.append(now.nanoseconds)
            metrics.sentTokens.append(request.tokens)
            workers[worker].ticket = ticket
            if simulationCase.policy.observesProvider {
                let instant = now
                gate?.observe(provider.report(at: instant).observation(at: instant), now: instant)
            }
            schedule(.finishes(worker: worker), at: now + request.duration)
        case .refused(_, let retryAfter):
            metrics.overshoots += 1
            try refused(worker, ticket: ticket, retryAfter: retryAfter)
        case .tooLarge:
            throw .requestNeverFits(tokens: request.tokens, limit: provider.limit)
        }
    }

    /// A 429: what the worker does depends on its policy.
    private mutating func refused(_ worker: Int, ticket: TicketID?, retryAfter: TimeSpan) throws(SimulationError) {
        switch simulationCase.policy {
        case .noLimiter:
            schedule(.retries(worker: worker), at: now + retryAfter)
        case .seed:
            let instant = now
            if let ticket { gate?.release(ticket: ticket, now: instant) }
            schedule(.retries(worker: worker), at: now + retryAfter)
        case .tokengate, .tokengateFeedback:
            let name = workerNames[worker]
            let instant = now
            gate?.throttle(until: instant + retryAfter, worker: name, now: instant)
            if let ticket { gate?.release(ticket: ticket, now: instant) }
            try attempt(worker)
        }
    }

    /// The worker's request ends: it reports the real usage, then thinks and wants the next one.
    mutating func finish(_ worker: Int) {
        let request = currentRequest(of: worker)
        if let ticket = workers[worker].ticket {
            let name = workerNames[worker]
            let instant = now
            let result = gate?.settle(ticket: ticket, usage: request.usage, worker: name, now: instant)
            if result != .settled { metrics.unknownTickets += 1 }
            workers[worker].ticket = nil
        }
        workers[worker].current += 1
        if workers[worker].current < jobs.requestsByWorker[worker].count {
            schedule(.wantsToSend(worker: worker), at: now + currentRequest(of: worker).delayBefore)
        } else {
            workers[worker].finishedAt = now
            metrics.makespan = max(metrics.makespan, now)
            if metrics.firstWorkerDone == nil { metrics.firstWorkerDone = now }
            metrics.finishedWorkers += 1
        }
    }

    /// The unseen consumer offers its request; it goes on until every worker is done.
    mutating func backgroundSends() {
        guard let background = jobs.workload.shape.background, metrics.finishedWorkers < workers.count else { return }
        let tokens = background.tokens(limit: settings.limit)
        switch provider.offer(tokens, at: now) {
        case .accepted:
            metrics.backgroundTokens += tokens
            schedule(.backgroundSends, at: now + background.interval(limit: settings.limit, window: settings.window))
        case .refused(_, let retryAfter):
            metrics.backgroundRefusals += 1
            schedule(.backgroundSends, at: now + retryAfter)
        case .tooLarge:
            break
        }
    }
}
