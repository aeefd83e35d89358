import Logging
import NIOCore
import TokenGateCore
import TokenGateRedis
import TokenGateWire

/// `serve --redis`: the organisation's shared admission in Redis decides every grant. The local
/// gates keep the books (tickets, usage, workers, leases, the journal) of grants decided there:
/// an acquire queues locally and asks Redis under a shared id; a grant comes back in the answer or
/// on this host's grant stream; reports, releases and withdrawals follow by id. While Redis is
/// unreachable nothing is granted, waiters keep their place, and the calls are kept to be sent
/// when it is back (each by id, so none counts twice).
extension GateHost {
    /// The connected workers (what the heartbeat tells Redis): the distinct names of the open
    /// connections that acquired or reported, as status counts them (a dashboard's or a `status`
    /// command's connection is none).
    var connectedWorkerCount: Int {
        Set(sessions.values.flatMap(\.workerNames)).filter { name in pools.pools.contains { $0.gate.knows(worker: name) } }.count
    }

    /// Hands the link to Redis to this host (once, before serving).
    func attach(_ link: SharedLink) {
        cluster = ClusterState(link: link, ticketPrefix: ticketPrefix)
    }

    /// Sends a call now, or keeps it while Redis is unreachable.
    func sendShared(_ call: SharedCall) {
        guard let cluster, !isShuttingDown || call.isKeptWhileUnreachable else { return }
        if cluster.isConnected {
            cluster.inFlight += 1
            cluster.link.send(call)
        } else if call.isKeptWhileUnreachable {
            cluster.kept.append(call)
        }
    }

    /// A provider's reading goes to the shared window, which tightens every host's admission by what
    /// it cannot see. (Not the local gate: it holds only this host's tickets, so it would take the
    /// other hosts' spending for unseen.)
    func shareReading(_ reading: ProviderHeaders.Reading, pool: Int, wallNow: Int64) {
        let configuration = pools[pool: pool].configuration
        guard let remaining = reading.remaining, let limit = reading.limit ?? configuration.limit(of: reading.budget) else { return }
        let resetInMs = reading.resetEpochMs.map { $0 - wallNow } ?? configuration.window.milliseconds
        sendShared(.observe(
            pool: pools.names[pool], kind: reading.budget.rawValue, used: max(0, limit - remaining), resetInMs: resetInMs,
            rounding: configuration.providerRounding
        ))
    }

    /// A local waiter queued: Redis is asked for its grant.
    func clusterQueued(_ waiter: WaiterID, pool: Int) {
        guard let cluster else { return }
        let id = cluster.makeID()
        cluster.waiters[id] = (pool, waiter)
        cluster.waiterIDs[waiter] = id
        sendAcquire(id: id, pool: pool, waiter: waiter)
    }

    private func sendAcquire(id: String, pool: Int, waiter: WaiterID) {
        guard let demand = pools[pool: pool].demand(of: waiter) else { return }
        sendShared(.acquire(pool: pools.names[pool], id: id, demand: SharedAmounts(demand)))
    }

    /// A local waiter left without a grant (timed out, withdrawn): it leaves the shared queue, and
    /// a grant Redis made meanwhile is given back (one call does both).
    func clusterWaiterLeft(_ waiter: WaiterID) {
        guard let cluster, let id = cluster.waiterIDs.removeValue(forKey: waiter),
            let entry = cluster.waiters.removeValue(forKey: id)
        else { return }
        cluster.books.released(id)
        sendShared(.cancel(pool: pools.names[entry.pool], id: id))
    }

    /// A ticket was released (or withdrawn with its connection): its reservation leaves the shared window.
    func clusterTicketReleased(_ ticket: TicketID) {
        guard let cluster, let entry = cluster.tickets.removeValue(forKey: ticket) else { return }
        cluster.ticketIDs[entry.id] = nil
        cluster.books.released(entry.id)
        sendShared(.release(pool: pools.names[entry.pool], id: entry.id))
    }

    /// A report: the usage replaces the ticket's shared reservation, or (no ticket, or one Redis
    /// never granted) counts from now under an id of its own.
    func clusterCharge(ticket: TicketID?, usage: Usage, pool: Int) {
        guard let cluster else { return }
        var target = (pool: pool, id: "")
        if let ticket, let entry = cluster.tickets.removeValue(forKey: ticket) {
            cluster.ticketIDs[entry.id] = nil
            target = entry
        } else {
            target.id = cluster.makeID()
        }
        let actual = SharedAmounts(usage.amounts(countingCacheRead: pools[pool: target.pool].configuration.countsCacheRead))
        cluster.books.used(target.id, pool: target.pool, amounts: actual, at: clock.now())
        sendShared(.charge(pool: pools.names[target.pool], id: target.id, actual: actual))
    }

    /// A 429, a pause or a new tokens limit holds for every host.
    func clusterShare(_ call: SharedCall) {
        sendShared(call)
    }

    // MARK: Answers

    /// Redis answered a call (or could not be reached).
    func sharedAnswered(_ call: SharedCall, _ result: Result<SharedAnswer, any Error>) {
        guard let cluster else { return }
        cluster.inFlight = max(0, cluster.inFlight - 1)
        switch result {
        case .success(.granted):
            if case .acquire(_, let id, _) = call { grantShared(id) }
        case .success(.changed(_, let wakeAt, let now)):
            armSharedWake(pool: call.pool, wakeAt: wakeAt, redisNow: now)
        case .failure(let error) where error.isSharedCallRetryable:
            if call.isKeptWhileUnreachable { cluster.kept.append(call) }
            if case .acquire = call { cluster.resendsAcquires = true }
            if error.isRedisUnreachable { markUnreachable(error) }
        case .failure(let error):
            cluster.lastError = "\(error)"
            logger.warning("the shared admission refused a call", metadata: ["call": "\(call)", "reason": "\(error)"])
            if case .acquire(_, let id, _) = call, let entry = cluster.waiters[id] {
                refuseSharedWaiter(entry.waiter, pool: entry.pool, reason: "\(error)")
            }
        }
    }

    /// Grants of this host's waiters read from its stream.
    func sharedGrantsArrived(_ grants: [(pool: String, id: String)]) {
        guard let cluster else { return }
        for grant in grants where grant.id.hasPrefix(cluster.idPrefix) {
            if cluster.waiters[grant.id] != nil {
                grantShared(grant.id)
            } else if cluster.ticketIDs[grant.id] == nil, !grant.pool.isEmpty {
                // Its waiter left before the grant came: the reservation goes back.
                cluster.books.released(grant.id)
                sendShared(.release(pool: grant.pool, id: grant.id))
            }
        }
    }

    /// Redis granted shared id `id`: its local waiter becomes a ticket (answered by `settleOutcomes`).
    private func grantShared(_ id: String) {
        guard let cluster, let entry = cluster.waiters.removeValue(forKey: id) else { return }
        cluster.waiterIDs[entry.waiter] = nil
        let demand = pools[pool: entry.pool].demand(of: entry.waiter)
        let now = clock.now()
        guard let demand, let grant = pools[pool: entry.pool].grantDecidedElsewhere(entry.waiter, now: now) else {
            sendShared(.release(pool: pools.names[entry.pool], id: id))
            return
        }
        cluster.books.reserved(id, pool: entry.pool, amounts: SharedAmounts(demand), at: now)
        cluster.tickets[grant.ticket] = (entry.pool, id)
        cluster.ticketIDs[id] = grant.ticket
        settleOutcomes()
    }

    /// An acquire Redis refuses for good (not for being unreachable): answered with the reason
    /// (a socket worker's, or a gateway request's).
    private func refuseSharedWaiter(_ waiter: WaiterID, pool: Int, reason: String) {
        cluster?.waiterIDs[waiter] = nil
        cluster?.waiters = cluster?.waiters.filter { $0.value.waiter != waiter } ?? [:]
        guard pools[pool: pool].cancel(waiter, now: clock.now()) else { return }
        let message = "the shared admission in Redis refused it: \(reason)"
        if !refuseGatewayWaiter(waiter, reason: message), let owner = waiterSessions.removeValue(forKey: waiter),
            let session = sessions[owner], let requestID = session.pendingAcquires.removeValue(forKey: waiter)
        {
            session.send(Reply.encodeError(id: requestID, code: .badRequest, message: message))
        }
        settleOutcomes()
    }

    /// One timer per pool on the instant Redis said the head becomes admissible; a timer armed
    /// earlier stays.
    private func armSharedWake(pool: String, wakeAt: Int64, redisNow: Int64) {
        guard let cluster, wakeAt > 0, !isShuttingDown else { return }
        let deadline = NIODeadline.now() + .microseconds(max(0, wakeAt - redisNow))
        if let armed = cluster.wakeTimers[pool], armed.at <= deadline { return }
        cluster.wakeTimers[pool]?.task.cancel()
        let task = eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [self] in
            self.cluster?.wakeTimers[pool] = nil
            sendShared(.tick(pool: pool))
        }
        cluster.wakeTimers[pool] = (deadline, task)
    }

    // MARK: Reaching Redis

    /// A heartbeat reached Redis. Coming back from unreachable: every local waiter asks again (in
    /// its place: Redis answers a waiter it still queues as it stands, and queues again one it
    /// lost), then the kept calls go. Redis restarted empty (`redisRestarted`: the organisation's
    /// epoch changed): first what this host holds in the windows goes back, while Redis grants
    /// nothing for the learning period.
    func clusterHeard(_ hosts: [SharedHost], windows: [String: SharedPoolLoad] = [:], redisRestarted: Bool = false) {
        guard let cluster else { return }
        cluster.hosts = hosts
        cluster.windows = windows
        pruneSharedTickets()
        let now = clock.now()
        cluster.books.prune(now: now) { pool in
            let configuration = pools[pool: pool].configuration
            return configuration.window + configuration.sendMargin
        }
        let reconnected = !cluster.isConnected
        cluster.isConnected = true
        if reconnected {
            logger.notice("Redis reachable: the shared admission decides grants", metadata: ["kept_calls": "\(cluster.kept.count)"])
        }
        if hosts.contains(where: { $0.host == cluster.link.cluster.hostName && $0.joined }), !cluster.waiters.isEmpty {
            // Redis had dropped this host as silent (or lost it): its waiters ask again.
            logger.warning("Redis had dropped this host: its waiters ask again", metadata: ["waiters": "\(cluster.waiters.count)"])
            cluster.resendsAcquires = true
        }
        if redisRestarted {
            let seeds = cluster.books.seeds(now: now)
            logger.warning(
                "Redis restarted empty: this host puts back what it holds in the shared windows",
                metadata: ["entries": "\(cluster.books.entries.count)"]
            )
            for seed in seeds { sendShared(.seed(pool: pools.names[seed.pool], entries: seed.entries)) }
            cluster.resendsAcquires = true
        }
        if reconnected || cluster.resendsAcquires {
            cluster.resendsAcquires = false
            let waiting = cluster.waiters.sorted { $0.value.waiter.rawValue < $1.value.waiter.rawValue }
            for (id, entry) in waiting { sendAcquire(id: id, pool: entry.pool, waiter: entry.waiter) }
        }
        let kept = cluster.kept
        cluster.kept.removeAll()
        for call in kept { sendShared(call) }
        stateChanged()
    }

    /// A heartbeat could not reach Redis.
    func clusterLost(_ error: any Error) {
        markUnreachable(error)
    }

    private func markUnreachable(_ error: any Error) {
        guard let cluster else { return }
        cluster.lastError = "\(error)"
        guard cluster.isConnected else { return }
        cluster.isConnected = false
        cancelSharedWakes()
        logger.warning("Redis unreachable: granting nothing until it is back", metadata: ["reason": "\(error)"])
        stateChanged()
    }

    /// Cancels every pool's wake timer (Redis unreachable, or shutting down).
    func cancelSharedWakes() {
        guard let cluster else { return }
        for timer in cluster.wakeTimers.values { timer.task.cancel() }
        cluster.wakeTimers.removeAll()
    }

    /// Forgets the shared ids of tickets the local gates no longer hold (their leases ended).
    private func pruneSharedTickets() {
        guard let cluster else { return }
        for (ticket, entry) in cluster.tickets where !pools.gate(entry.pool).holds(ticket) {
            cluster.tickets[ticket] = nil
            cluster.ticketIDs[entry.id] = nil
        }
    }

    /// Status `cluster` (nil without `--redis`).
    func clusterStatus() -> ClusterStatus? {
        guard let cluster else { return nil }
        return ClusterStatus(
            state: cluster.isConnected ? .connected : .unreachable, org: cluster.link.cluster.organisation,
            hosts: cluster.hosts.map {
                HostStatus(
                    host: $0.host, workers: $0.workers, used: $0.used, reserved: $0.reserved, waiting: $0.waiting,
                    lastSeenMsAgo: $0.lastSeenMillisecondsAgo
                )
            },
            host: cluster.link.cluster.hostName, lastError: cluster.lastError, pending: cluster.kept.count + cluster.inFlight,
            pools: pools.names.compactMap { name in
                cluster.windows[name].map {
                    ClusterPoolStatus(
                        name: name, used: $0.used, reserved: $0.reserved, waiting: $0.waiting,
                        external: $0.unseenTokens > 0 ? $0.unseenTokens : nil
                    )
                }
            }
        )
    }
}

extension SharedAmounts {
    init(_ amounts: BudgetAmounts) {
        self.init(tokens: amounts.tokens, input: amounts.input, output: amounts.output, requests: amounts.requests)
    }
}
