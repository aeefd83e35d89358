import Logging
import NIOCore
import TokenGateCore
import TokenGateWire

/// The one owner of the gate: lives on a single event loop, takes every request, keeps one timer
/// on the gate's next wake-up instant, and pushes snapshots to subscribers.
final class GateHost {
    let eventLoop: EventLoop
    let configuration: ServerConfiguration
    let access: AccessPolicy
    let logger: Logger
    let clock = DaemonClock()
    /// One gate per pool; `default` (the top-level limits) first.
    var pools: PoolSet
    /// The pool `default`'s gate: what the v1 fields of status describe.
    var gate: Gate {
        get { pools[pool: 0] }
        _modify { yield &pools[pool: 0] }
    }
    let startedAt: Instant
    /// Prefixes every ticket of this daemon's life, so a ticket from before a restart is unknown
    /// rather than mistaken for a new one.
    let ticketPrefix: String
    var sessions: [OwnerID: Session] = [:]
    /// The sessions that subscribed, so a state change costs nothing when nobody watches.
    var subscribers: [OwnerID: Session] = [:]
    var waiterSessions: [WaiterID: OwnerID] = [:]
    var nextSessionNumber: UInt64 = 1
    var wakeUp: (at: Instant, task: Scheduled<Void>)?
    var snapshotPush: Scheduled<Void>?
    var lastChangePushAt: Instant?
    /// The last snapshot event encoded, shared by subscribers (see `snapshotReuse`).
    var cachedSnapshot: (at: Instant, line: [UInt8])?
    var isShuttingDown = false
    /// `--metrics`: counters of completed operations; nil when no metrics are served.
    var metrics: GateMetrics?
    /// Tickets of a previous daemon held again after a restart, by their old text.
    var recoveredTickets = RecoveredTickets()
    /// The budgets (`pool/budget`) in which provider readings currently show spending this daemon cannot see:
    /// logged when a budget enters or leaves this set, not at every reading.
    var budgetsWithUnseenSpending: Set<String> = []
    /// Tokens, grants, waits and 429s over the last window, for `rates` in status.
    var recentRates: RecentRates
    /// The window's fill per second over the last window, for `history` (see `startFillSampler`).
    var fillHistory: FillHistory
    var fillSampler: Scheduled<Void>?
    /// The HTTP gateway's queued acquires, by the owner the gateway gave each request.
    var gatewayWaiters: [OwnerID: GatewayWaiter] = [:]
    /// The owner of each queued gateway acquire, by waiter.
    var gatewayWaiterOwners: [WaiterID: OwnerID] = [:]
    /// The gateway's figures for status, once a gateway is attached.
    var gatewayStatusSource: (any GatewayStatusSource)?
    /// `serve --redis`: the organisation's shared admission decides grants (see `GateHost+Cluster`).
    var cluster: ClusterState?

    init(eventLoop: EventLoop, configuration: ServerConfiguration, access: AccessPolicy, logger: Logger) {
        self.eventLoop = eventLoop
        self.configuration = configuration
        self.access = access
        self.logger = logger
        self.pools = configuration.pools
        self.startedAt = clock.now()
        self.recentRates = RecentRates(window: configuration.gate.window, startedAt: startedAt)
        self.fillHistory = FillHistory(window: configuration.gate.window, startedAt: startedAt)
        self.ticketPrefix = String(UInt32.random(in: 0x1000...0xFFFF), radix: 16)
        if let recovery = configuration.recovery { recover(recovery) }
        if configuration.cluster != nil {
            for index in pools.pools.indices { pools[pool: index].decideAdmissionElsewhere() }
        }
        let now = clock.now()
        fillHistory.record(used: gate.used(now: now).tokens, reserved: gate.reserved.tokens, at: now)
        startFillSampler()
    }

    /// Replays the usage a journal kept from before a restart, and the paused state.
    private func recover(_ recovery: JournalRecovery) {
        let now = clock.now()
        let wallNow = clock.epochMilliseconds(of: now)
        var restored = 0
        for usage in recovery.usage.sorted(by: { $0.wallMilliseconds < $1.wallMilliseconds }) {
            let instant = now - TimeSpan.milliseconds(max(0, wallNow - usage.wallMilliseconds))
            guard instant + configuration.gate.window + configuration.gate.sendMargin > now,
                let amounts = try? Usage(
                    input: usage.input, output: usage.output, cacheCreation: usage.cacheCreation, cacheRead: usage.cacheRead
                )
            else { continue }
            // Usage goes back to the pool it counted in, else to the pool of its model (a pool
            // removed since counts in default).
            let pool = usage.pool.flatMap(pools.index(named:)) ?? (try? pools.route(model: usage.model, pool: nil)) ?? 0
            pools[pool: pool].restore(amounts, worker: usage.worker, at: instant, now: now)
            restored += 1
        }
        // A pause of every pool, then the pools paused or resumed on their own after it.
        if recovery.paused { for index in pools.pools.indices { pools[pool: index].pause(now: now) } }
        for (name, paused) in recovery.poolPauses {
            guard let index = pools.index(named: name) else { continue }
            if paused { pools[pool: index].pause(now: now) } else { pools[pool: index].resume(now: now) }
        }
        if let change = recovery.limitChange { restoreLimit(change, pool: 0, now: now) }
        for (name, change) in recovery.poolLimitChanges {
            guard let index = pools.index(named: name) else {
                logger.notice("journaled limit change of a pool no longer declared not restored", metadata: ["pool": "\(name)"])
                continue
            }
            restoreLimit(change, pool: index, now: now)
        }
        restoreWorkerControls(recovery.workerControls, now: now)
        let held = recoverOpenGrants(recovery.openGrants, now: now)
        let pausedPools = pools.pools.indices.filter { pools[pool: $0].snapshot(now: now).state == .paused }
        logger.notice(
            "recovered from the journal",
            metadata: [
                "reports": "\(restored)", "used": "\(gate.used(now: now).tokens)", "paused": "\(recovery.paused)",
                "paused_pools": "\(pausedPools.map { pools.names[$0] }.joined(separator: ","))",
                "open_grants": "\(held)", "reserved": "\(gate.reserved.tokens)",
            ]
        )
    }

    /// Takes back the last limit or threshold change an operator made to pool `index`, unless the
    /// daemon now starts that pool with other values than it did then (the new starting values
    /// win); logs either way.
    private func restoreLimit(_ change: JournalLimitChange, pool index: Int, now: Instant) {
        let start = configuration.pools.gate(index).configuration
        let name = pools.names[index]
        guard change.applies(toStartLimit: start.limit(of: .tokens), threshold: start.threshold) else {
            logger.notice(
                "journaled limit change not restored: the daemon starts with new values",
                metadata: [
                    "pool": "\(name)", "journaled": "\(change.detail)", "limit": "\(start.limit(of: .tokens) ?? 0)",
                    "threshold": "\(start.threshold)",
                ]
            )
            return
        }
        do {
            if let limit = change.limit { try pools[pool: index].setLimit(limit, for: .tokens, now: now) }
            if let threshold = change.threshold { try pools[pool: index].setThreshold(threshold, now: now) }
        } catch {
            logger.warning(
                "journaled limit change not restored", metadata: ["pool": "\(name)", "journaled": "\(change.detail)", "reason": "\(error)"]
            )
            return
        }
        let restored = pools[pool: index].configuration
        logger.notice(
            "restored the limit from the journal",
            metadata: ["pool": "\(name)", "limit": "\(restored.limit(of: .tokens) ?? 0)", "threshold": "\(restored.threshold)"]
        )
    }

    /// The journal's record of a limit change pool `index` now has, with its starting values.
    func limitChangeDetail(pool index: Int) -> String {
        let current = pools[pool: index].configuration
        let start = configuration.pools.gate(index).configuration
        return JournalLimitChange(
            limit: current.limit(of: .tokens), threshold: current.threshold,
            startLimit: start.limit(of: .tokens), startThreshold: start.threshold
        ).detail
    }

    /// The `pool` the journal keeps for an action on pool `index` alone: nil for `default` (as a
    /// journal from before pools reads), the pool's name otherwise. Not for pause and resume, whose
    /// nil means every pool.
    func journaledPool(_ index: Int) -> String? { index == 0 ? nil : pools.names[index] }

    /// Appends an action to the journal, stamped with the wall clock.
    func journal(_ kind: JournalAction.Kind, by actor: String, detail: String, pool: String? = nil, now: Instant) {
        configuration.journal?.append(.action(JournalAction(
            wallMilliseconds: clock.epochMilliseconds(of: now), kind: kind, actor: actor, detail: detail, pool: pool
        )))
    }

    // MARK: Connections

    /// Registers a new connection.
    func open(channel: Channel, peer: PeerCredentials) -> Session {
        let session = Session(id: OwnerID(rawValue: nextSessionNumber), channel: channel, peer: peer)
        nextSessionNumber += 1
        sessions[session.id] = session
        logger.debug("connection opened", metadata: ["pid": "\(peer.pid)", "uid": "\(peer.uid)"])
        return session
    }

    /// A connection closed: its pending acquires are withdrawn and its tickets released.
    func close(_ session: Session) {
        guard !session.isClosed else { return }
        session.isClosed = true
        session.subscription?.timer?.cancel()
        sessions[session.id] = nil
        subscribers[session.id] = nil
        for waiter in session.pendingAcquires.keys { waiterSessions[waiter] = nil }
        let withdrawal = withdraw(owner: session.id, now: clock.now())
        logger.info(
            "worker left",
            metadata: [
                "worker": "\(session.worker)", "withdrawn": "\(withdrawal.waitersDropped.count)",
                "released": "\(withdrawal.ticketsReleased.count)",
            ]
        )
        settleOutcomes()
    }

    // MARK: Requests

    /// Answers one framed line from `session`.
    func handle(line: ByteBuffer, from session: Session) {
        let decoded = line.withUnsafeReadableBytes { Request.decode(line: $0) }
        switch decoded {
        case .failure(let failure):
            logger.debug("rejected request", metadata: ["code": "\(failure.code.rawValue)", "reason": "\(failure.message)"])
            metrics?.rejected(failure.code)
            session.write(failure.encodeReplyLine())
        case .success(let request):
            guard !isShuttingDown else {
                metrics?.rejected(.shuttingDown)
                session.write(Reply.encodeError(id: request.id, code: .shuttingDown, message: "the daemon is shutting down"))
                return
            }
            perform(request, for: session)
            settleOutcomes()
        }
    }

    /// A line over the limit: answered with `line_too_long`, then the connection is closed.
    func rejectLongLine(from session: Session) {
        let failure = Request.lineTooLong()
        metrics?.rejected(.lineTooLong)
        logger.warning("line too long; closing the connection", metadata: ["worker": "\(session.worker)"])
        session.send(failure.encodeReplyLine())
        session.channel.close(promise: nil)
    }

    /// Delivers grants and timeouts the last gate call resolved, re-arms the timer, and tells
    /// subscribers that the state changed.
    func settleOutcomes() {
        for outcome in pools.takeOutcomes() {
            // A waiter that timed out leaves the shared queue, whoever it answers.
            if case .timedOut = outcome { clusterWaiterLeft(outcome.waiter) }
            if let owner = gatewayWaiterOwners.removeValue(forKey: outcome.waiter) {
                deliverGatewayOutcome(outcome, owner: owner)
                continue
            }
            guard let owner = waiterSessions.removeValue(forKey: outcome.waiter), let session = sessions[owner],
                let requestID = session.pendingAcquires.removeValue(forKey: outcome.waiter)
            else { continue }
            switch outcome {
            case .granted(let grant):
                let now = clock.now()
                journalGrant(grant, now: now)
                countGrant(grant, now: now)
                session.send(Reply.encodeGrant(
                    id: requestID, ticket: ticketText(grant.ticket), waitedMs: grant.waited.millisecondsRoundedUp
                ))
            case .timedOut:
                metrics?.timedOut(pool: pools.pool(of: outcome.waiter))
                session.send(Reply.encodeError(id: requestID, code: .timeout, message: "no grant within timeout_ms"))
            }
        }
        rearmWakeUp()
        stateChanged()
    }

    // MARK: Tickets

    func ticketText(_ ticket: TicketID) -> String { "\(ticketPrefix)-\(ticket.rawValue)" }

    /// The ticket a text names, or a ticket no grant ever carries when it is not one of ours.
    func ticketID(_ text: String) -> TicketID {
        if !recoveredTickets.isEmpty, let recovered = recoveredTickets.id(of: text) { return recovered }
        let parts = text.split(separator: "-", maxSplits: 1)
        guard parts.count == 2, parts[0] == ticketPrefix, let number = UInt64(parts[1]) else {
            return TicketID(rawValue: 0)
        }
        return TicketID(rawValue: number)
    }

    // MARK: Shutdown

    /// Stops serving: pending acquires are answered `shutting_down` and every connection closes.
    func shutDown() {
        guard !isShuttingDown else { return }
        isShuttingDown = true
        wakeUp?.task.cancel()
        wakeUp = nil
        snapshotPush?.cancel()
        fillSampler?.cancel()
        fillSampler = nil
        cancelSharedWakes()
        for session in sessions.values {
            for requestID in session.pendingAcquires.values {
                session.write(Reply.encodeError(id: requestID, code: .shuttingDown, message: "the daemon is shutting down"))
            }
            session.pendingAcquires.removeAll()
            session.flush()
            session.subscription?.timer?.cancel()
            session.channel.close(promise: nil)
        }
        waiterSessions.removeAll()
        shutDownGatewayWaiters()
    }
}
