import Logging
import TokenGateCore
import TokenGateWire

extension GateHost {
    /// Carries out one decoded request and writes its reply (an acquire may be answered later).
    func perform(_ request: Request, for session: Session) {
        let id = request.id
        let now = clock.now()
        // The pool the request is about (contract v2): named, else matched by model, else default.
        let pool: Int
        do {
            var model = request.target.model
            if case .report(let report) = request.operation { model = report.model }
            pool = try pools.route(model: model, pool: request.target.pool)
        } catch {
            metrics?.rejected(.badRequest)
            return session.write(Reply.encodeError(id: id, code: .badRequest, message: error.description))
        }
        switch request.operation {
        case .hello(let worker):
            if worker != session.worker { logger.info("worker connected", metadata: ["worker": "\(worker)"]) }
            session.worker = worker
            session.workerNames.insert(worker)
            session.write(Reply.encodeHello(id: id, server: configuration.serverName, worker: worker))

        case .acquire(let acquire):
            self.acquire(acquire, pool: pool, id: id, session: session, now: now)

        case .report(let report):
            self.report(report, pool: pool, id: id, session: session, now: now)

        case .release(let ticket):
            if releaseTicket(ticket, now: now) {
                session.write(Reply.encodeOK(id: id))
            } else {
                metrics?.rejected(.unknownTicket)
                session.write(Reply.encodeError(id: id, code: .unknownTicket, message: "no such ticket: \(ticket)"))
            }

        case .throttled(let throttled):
            let until = startCooldown(retryAfterMs: throttled.retryAfterMs, pool: pool, reportedBy: session.worker, now: now)
            session.write(Reply.encodeThrottled(id: id, cooldownUntilMs: clock.epochMilliseconds(of: until)))

        case .observe(let headers):
            observe(headers, pool: pool, worker: session.worker, now: now)
            session.write(Reply.encodeOK(id: id))

        case .status:
            session.write(Reply.encodeStatus(id: id, status: status(now: now)))

        case .subscribe(let intervalMs, let history):
            subscribe(session, interval: .milliseconds(intervalMs), history: history, id: id, now: now)

        case .pause, .resume:
            guard access.mayControl(session.peer) else { return forbid(id, session) }
            let pausing = request.operation == .pause
            // Without a pool or model: every pool (contract v2).
            let affected = request.target.isUnspecified ? Array(pools.pools.indices) : [pool]
            for index in affected {
                if pausing { pools[pool: index].pause(now: now) } else { pools[pool: index].resume(now: now) }
                clusterShare(.pause(pool: pools.names[index], paused: pausing))
            }
            let names = affected.map { pools.names[$0] }.joined(separator: ",")
            logger.notice(pausing ? "paused" : "resumed", metadata: ["by": "\(session.worker)", "pools": "\(names)"])
            // Journaled with its pool (none: every pool), so a restart takes it back.
            let journaled = request.target.isUnspecified ? nil : pools.names[pool]
            journal(pausing ? .pause : .resume, by: session.worker, detail: "", pool: journaled, now: now)
            session.write(Reply.encodeState(id: id, state: pools[pool: pool].snapshot(now: now).state))

        case .pauseWorker(let worker), .resumeWorker(let worker):
            guard access.mayControl(session.peer) else { return forbid(id, session) }
            guard cluster == nil else { return refuseUnshared("a worker's pause", id: id, session: session) }
            controlWorker(worker, pausing: request.operation == .pauseWorker(worker), id: id, session: session, now: now)

        case .setWorkerCap(let worker, let cap):
            guard access.mayControl(session.peer) else { return forbid(id, session) }
            guard cluster == nil else { return refuseUnshared("a worker's cap", id: id, session: session) }
            capWorker(worker, cap: cap, id: id, session: session, now: now)

        case .setLimit(let change):
            guard access.mayControl(session.peer) else { return forbid(id, session) }
            do {
                if let limit = change.limit {
                    try pools[pool: pool].setLimit(limit, for: .tokens, now: now)
                    clusterShare(.setLimit(pool: pools.names[pool], tokens: limit))
                }
                if let threshold = change.threshold { try pools[pool: pool].setThreshold(threshold, now: now) }
                logger.notice(
                    "limit changed",
                    metadata: [
                        "pool": "\(pools.names[pool])", "limit": "\(pools[pool: pool].configuration.limit(of: .tokens) ?? 0)",
                        "threshold": "\(pools[pool: pool].configuration.threshold)", "by": "\(session.worker)",
                    ]
                )
                journal(.limit, by: session.worker, detail: limitChangeDetail(pool: pool), pool: journaledPool(pool), now: now)
                session.write(Reply.encodeOK(id: id))
            } catch {
                metrics?.rejected(.badRequest)
                session.write(Reply.encodeError(id: id, code: .badRequest, message: error.description))
            }
        }
    }

    private func acquire(_ acquire: Request.Acquire, pool: Int, id: RequestID?, session: Session, now: Instant) {
        let estimate: Estimate
        do {
            estimate = try Estimate(tokens: acquire.tokens, input: acquire.input, output: acquire.output)
        } catch {
            metrics?.rejected(.badRequest)
            return session.write(Reply.encodeError(id: id, code: .badRequest, message: error.description))
        }
        let worker = acquire.worker ?? session.worker
        session.workerNames.insert(worker)
        let deadline = acquire.timeoutMs.map { now + .milliseconds($0) }
        let decision = admit(
            worker: worker, estimate: estimate, priority: acquire.priority ?? .normal, deadline: deadline, owner: session.id,
            pool: pool, now: now
        )
        switch decision {
        case .granted(let grant):
            session.write(Reply.encodeGrant(
                id: id, ticket: ticketText(grant.ticket), waitedMs: grant.waited.millisecondsRoundedUp
            ))
        case .queued(let waiter):
            session.pendingAcquires[waiter] = id
            waiterSessions[waiter] = session.id
        case .timedOut:
            session.write(Reply.encodeError(id: id, code: .timeout, message: "no grant within timeout_ms"))
        }
    }

    private func report(_ report: Request.Report, pool: Int, id: RequestID?, session: Session, now: Instant) {
        let usage: Usage
        do {
            usage = try Usage(
                input: report.input, output: report.output, cacheCreation: report.cacheCreation ?? 0,
                cacheRead: report.cacheRead ?? 0
            )
        } catch {
            metrics?.rejected(.badRequest)
            return session.write(Reply.encodeError(id: id, code: .badRequest, message: error.description))
        }
        let worker = report.worker ?? session.worker
        session.workerNames.insert(worker)
        let result = recordUsage(usage, ticket: report.ticket, pool: pool, worker: worker, model: report.model, now: now)
        session.write(Reply.encodeReported(id: id, unknownTicket: result == .unknownTicket))
    }

    /// Settles a report: the usage replaces the ticket's reservation (or counts from now without
    /// one), is counted in metrics and journaled.
    @discardableResult
    func recordUsage(_ usage: Usage, ticket: String?, pool: Int, worker: String, model: String?, now: Instant) -> SettleResult {
        let settling = ticket.map(ticketID)
        let counted = pools.settlingPool(ticket: settling, fallback: pool)
        let result = pools.settle(ticket: settling, usage: usage, worker: worker, fallback: counted, now: now)
        clusterCharge(ticket: settling, usage: usage, pool: counted)
        metrics?.reported(usage, pool: counted)
        recentRates.reported(tokens: usage.amounts(countingCacheRead: gate.configuration.countsCacheRead).tokens, at: now)
        if result == .settled, let ticket { journalTicketClosed(ticket) }
        configuration.journal?.append(.usage(JournalUsage(
            wallMilliseconds: clock.epochMilliseconds(of: now), worker: worker, ticket: ticket, input: usage.input,
            output: usage.output, cacheCreation: usage.cacheCreation, cacheRead: usage.cacheRead, model: model,
            pool: pools.names[counted]
        )))
        return result
    }

    /// Takes in a provider's rate-limit headers: each budget's figures tighten admission by the
    /// spending the window cannot see; `retry-after` starts a cooldown as a 429 would.
    func observe(_ rawHeaders: [String: String], pool: Int, worker: String, now: Instant) {
        let wallNow = clock.epochMilliseconds(of: now)
        let headers = ProviderHeaders(headers: rawHeaders, nowEpochMs: wallNow)
        for reading in headers.readings {
            if cluster != nil {
                shareReading(reading, pool: pool, wallNow: wallNow)
                continue
            }
            let kind = reading.budget
            let observation = ProviderObservation(
                kind: kind, limit: reading.limit, remaining: reading.remaining,
                reset: reading.resetEpochMs.map { now + TimeSpan.milliseconds($0 - wallNow) }, observedAt: now
            )
            let unseen = pools[pool: pool].observe(observation, now: now)
            if configuration.adoptsProviderLimit, kind == .tokens {
                let before = pools[pool: pool].configuration.limit(of: .tokens)
                try? pools[pool: pool].adoptProviderLimit(of: .tokens, now: now)
                if let after = pools[pool: pool].configuration.limit(of: .tokens), after != before {
                    logger.notice("adopted the provider's limit", metadata: ["pool": "\(pools.names[pool])", "limit": "\(after)"])
                    journal(.limit, by: worker, detail: "limit=\(after) (provider)", pool: journaledPool(pool), now: now)
                }
            }
            let budgetKey = "\(pools.names[pool])/\(kind.rawValue)"
            if unseen > 0, budgetsWithUnseenSpending.insert(budgetKey).inserted {
                logger.info(
                    "provider reports spending this daemon cannot see",
                    metadata: ["pool": "\(pools.names[pool])", "budget": "\(kind.rawValue)", "external": "\(unseen)", "worker": "\(worker)"]
                )
            } else if unseen == 0, budgetsWithUnseenSpending.remove(budgetKey) != nil {
                logger.info(
                    "provider's figures match this daemon's again", metadata: ["pool": "\(pools.names[pool])", "budget": "\(kind.rawValue)"]
                )
            }
        }
        if let retryAfterMs = headers.retryAfterMs {
            startCooldown(retryAfterMs: retryAfterMs, pool: pool, reportedBy: worker, now: now)
        }
    }

    /// The provider said 429 (a `throttled`, or `retry-after` in observed headers): no grants until
    /// then, logged and journaled. Returns when the cooldown ends.
    @discardableResult
    func startCooldown(retryAfterMs: Int64, pool: Int, reportedBy worker: String, now: Instant) -> Instant {
        let until = pools[pool: pool].throttle(until: now + .milliseconds(retryAfterMs), worker: worker, now: now)
        clusterShare(.throttle(pool: pools.names[pool], retryAfterMs: retryAfterMs))
        metrics?.throttled(pool: pool)
        recentRates.throttled(at: now)
        logger.warning(
            "provider cooldown",
            metadata: ["pool": "\(pools.names[pool])", "worker": "\(worker)", "retry_after_ms": "\(retryAfterMs)"]
        )
        journal(.cooldown, by: worker, detail: "retry_after_ms=\(retryAfterMs)", pool: journaledPool(pool), now: now)
        return until
    }

    /// A control the shared admission does not hold yet (`serve --redis`): refused, rather than
    /// taken locally where Redis's grants would pass it by.
    func refuseUnshared(_ control: String, id: RequestID?, session: Session) {
        metrics?.rejected(.badRequest)
        session.write(Reply.encodeError(
            id: id, code: .badRequest,
            message: "\(control) is not shared through Redis yet: with --redis, pause the pool (tokengate pause) or stop the worker"
        ))
    }

    func forbid(_ id: RequestID?, _ session: Session) {
        metrics?.rejected(.forbidden)
        logger.warning("forbidden control request", metadata: ["uid": "\(session.peer.uid)", "worker": "\(session.worker)"])
        session.write(Reply.encodeError(
            id: id, code: .forbidden, message: "only the daemon's user or root may pause, resume or change limits"
        ))
    }
}
