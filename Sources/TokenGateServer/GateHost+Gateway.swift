import NIOCore
import TokenGateCore
import TokenGateWire

/// How a gateway acquire started: decided at once, or queued until the future's outcome.
enum GatewayAcquireStart: Sendable {
    case decided(GatewayAcquireOutcome)
    case queued(EventLoopFuture<GatewayAcquireOutcome>)
}

/// A gateway request waiting for its grant.
struct GatewayWaiter {
    let waiter: WaiterID
    let promise: EventLoopPromise<GatewayAcquireOutcome>
}

/// The HTTP gateway's operations, on the gate's event loop: the same gate, journal and metrics
/// as the socket's, with a worker name per request instead of per connection.
extension GateHost {
    /// Acquires for one gateway request; `owner` is the request's own (see `GateHostGatewayAccess`).
    /// Admitted as a socket worker's acquire is (`admit`): with `--redis` it always queues and
    /// its grant comes from the organisation's shared admission.
    func gatewayAcquire(_ request: GatewayAcquire, owner: OwnerID) -> GatewayAcquireStart {
        guard !isShuttingDown else { return .decided(.shuttingDown) }
        let now = clock.now()
        let pool = self.pool(model: request.model)
        let decision = admit(
            worker: request.worker, estimate: request.estimate,
            priority: request.priority.flatMap(Priority.init(rawValue:)) ?? .normal, deadline: now + request.maxWait,
            owner: owner, pool: pool, now: now
        )
        switch decision {
        case .granted(let grant):
            return .decided(.granted(ticket: ticketText(grant.ticket), waitedMs: grant.waited.millisecondsRoundedUp))
        case .queued(let waiter):
            let promise = eventLoop.makePromise(of: GatewayAcquireOutcome.self)
            gatewayWaiters[owner] = GatewayWaiter(waiter: waiter, promise: promise)
            gatewayWaiterOwners[waiter] = owner
            return .queued(promise.futureResult)
        case .timedOut:
            return .decided(.timedOut(retryAfterMs: retryAfterMsForTimedOut(pool: pool, now: now)))
        }
    }

    /// The request's task was cancelled: its acquire is withdrawn if it still waits (from the
    /// shared queue too).
    func gatewayCancel(owner: OwnerID) {
        guard let waiting = gatewayWaiters.removeValue(forKey: owner) else { return }
        gatewayWaiterOwners[waiting.waiter] = nil
        withdraw(owner: owner, now: clock.now())
        waiting.promise.succeed(.cancelled)
        settleOutcomes()
    }

    /// A queued gateway acquire the shared admission in Redis refused for good: answered with
    /// `reason`. False when `waiter` is not a gateway request's.
    func refuseGatewayWaiter(_ waiter: WaiterID, reason: String) -> Bool {
        guard let owner = gatewayWaiterOwners.removeValue(forKey: waiter) else { return false }
        gatewayWaiters.removeValue(forKey: owner)?.promise.succeed(.refused(reason: reason))
        return true
    }

    /// A queued gateway acquire was granted or timed out.
    func deliverGatewayOutcome(_ outcome: WaiterOutcome, owner: OwnerID) {
        guard let waiting = gatewayWaiters.removeValue(forKey: owner) else { return }
        switch outcome {
        case .granted(let grant):
            let now = clock.now()
            journalGrant(grant, now: now)
            countGrant(grant, now: now)
            waiting.promise.succeed(.granted(ticket: ticketText(grant.ticket), waitedMs: grant.waited.millisecondsRoundedUp))
        case .timedOut:
            metrics?.timedOut(pool: pools.pool(of: outcome.waiter))
            waiting.promise.succeed(.timedOut(retryAfterMs: retryAfterMsForTimedOut(pool: pools.pool(of: outcome.waiter), now: clock.now())))
        }
    }

    /// A gateway request's report.
    func gatewayReport(ticket: String?, usage: Usage, worker: String, model: String?) {
        recordUsage(usage, ticket: ticket, pool: pool(model: model), worker: worker, model: model, now: clock.now())
        settleOutcomes()
    }

    /// A gateway request that never reached the provider gives its reservation back.
    func gatewayRelease(ticket: String) {
        _ = releaseTicket(ticket, now: clock.now())
        settleOutcomes()
    }

    /// A gateway response's headers.
    func gatewayObserve(headers: [String: String], worker: String, model: String?) {
        observe(headers, pool: pool(model: model), worker: worker, now: clock.now())
        settleOutcomes()
    }

    /// A gateway response was a 429.
    func gatewayThrottled(retryAfterMs: Int64, worker: String, model: String?) {
        startCooldown(retryAfterMs: retryAfterMs, pool: pool(model: model), reportedBy: worker, now: clock.now())
        settleOutcomes()
    }

    /// Stopping: every gateway request still waiting hears so.
    func shutDownGatewayWaiters() {
        for waiting in gatewayWaiters.values { waiting.promise.succeed(.shuttingDown) }
        gatewayWaiters.removeAll()
        gatewayWaiterOwners.removeAll()
    }

    /// The pool of a gateway request's model (contract v2): the first pool whose globs match,
    /// else `default`.
    func pool(model: String?) -> Int {
        (try? pools.route(model: model, pool: nil)) ?? 0
    }

    /// When a request refused for waiting too long may try again: the cooldown's end in one,
    /// else when the head of the queue should fit, else one second.
    private func retryAfterMsForTimedOut(pool: Int, now: Instant) -> Int64 {
        let snapshot = pools[pool: pool].snapshot(now: now)
        if let remaining = snapshot.cooldownRemaining { return max(1000, remaining.millisecondsRoundedUp) }
        if let at = snapshot.head?.admissibleAt { return max(1000, (at - now).millisecondsRoundedUp) }
        return 1000
    }
}
