import NIOCore
import TokenGateCore
import TokenGateWire

extension GateHost {
    /// Answers `subscribe`: `{ok}`, a snapshot at once, then one every interval and on changes.
    /// With `history`, that first snapshot carries the window's fill per second (built for this
    /// subscriber alone; the shared snapshots never carry it).
    func subscribe(_ session: Session, interval: TimeSpan, history: Bool = false, id: RequestID?, now: Instant) {
        session.subscription?.timer?.cancel()
        session.subscription = Subscription(interval: interval)
        subscribers[session.id] = session
        session.write(Reply.encodeOK(id: id))
        // Written beside the reply, not pushed: `push` would skip it behind the unflushed reply.
        if history {
            var first = status(now: now)
            first.history = fillHistory.history(at: now)
            session.write(Reply.encodeSnapshotEvent(status: first.encoded()))
        } else {
            session.write(snapshotLine(now: now, fresh: true))
        }
        scheduleTick(for: session)
    }

    /// How long one encoded snapshot serves every subscriber whose tick comes: many subscribers
    /// cost one status build per period, not one each (a change is pushed fresh all the same).
    static let snapshotReuse = TimeSpan.milliseconds(25)

    /// The snapshot event line as of `now`, or (unless `fresh`) one built less than `snapshotReuse`
    /// ago. Every line built is kept, so a subscriber never gets a snapshot older than one it had.
    private func snapshotLine(now: Instant, fresh: Bool = false) -> [UInt8] {
        if !fresh, let cached = cachedSnapshot, now - cached.at < Self.snapshotReuse { return cached.line }
        let line = Reply.encodeSnapshotEvent(status: status(now: now).encoded())
        cachedSnapshot = (now, line)
        return line
    }

    private func scheduleTick(for session: Session) {
        guard let interval = session.subscription?.interval else { return }
        let timer = eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(interval.nanoseconds)) { [self] in
            guard !session.isClosed, session.subscription != nil else { return }
            push(to: session, encoded: snapshotLine(now: clock.now()))
            scheduleTick(for: session)
        }
        session.subscription?.timer = timer
    }

    /// The state changed: subscribers hear of it at once, at most once per minimum gap.
    func stateChanged() {
        guard snapshotPush == nil, !isShuttingDown, !subscribers.isEmpty else { return }
        let now = clock.now()
        let due = (lastChangePushAt ?? Instant(nanoseconds: .min)) + configuration.minimumSnapshotGap
        if due <= now {
            pushChange(now: now)
        } else {
            snapshotPush = eventLoop.assumeIsolated().scheduleTask(deadline: clock.deadline(of: due)) { [self] in
                snapshotPush = nil
                pushChange(now: clock.now())
            }
        }
    }

    private func pushChange(now: Instant) {
        lastChangePushAt = now
        let line = snapshotLine(now: now, fresh: true)
        for session in subscribers.values {
            push(to: session, encoded: line)
        }
    }

    /// Sends one snapshot line. A subscriber still behind on an earlier one skips this one (a
    /// slow reader gets fewer snapshots, each with the latest state, and the daemon buffers at
    /// most one for it); one that stays behind for the stall limit, or leaves more than the
    /// backlog limit unread, is disconnected.
    private func push(to session: Session, encoded line: [UInt8]) {
        guard !session.isClosed else { return }
        let unsent = session.unsentBytes
        guard unsent > 0 else {
            session.subscription?.behindSince = nil
            session.send(line)
            return
        }
        let now = clock.now()
        let since = session.subscription?.behindSince ?? now
        session.subscription?.behindSince = since
        if now - since >= configuration.subscriberStallLimit
            || unsent > max(configuration.subscriberBacklogLimit, 2 * line.count)
        {
            logger.warning(
                "subscriber not reading; disconnecting",
                metadata: [
                    "worker": "\(session.worker)", "unsent": "\(unsent)",
                    "behind_ms": "\((now - since).millisecondsRoundedUp)",
                ]
            )
            session.channel.close(promise: nil)
        }
    }

    /// The Status object as of `now`.
    /// Records the fill it shows for `history`.
    func status(now: Instant) -> Status {
        let connected = Set(sessions.values.flatMap(\.workerNames))
        let snapshots = pools.pools.map { pool in
            StatusBuilder.PoolSnapshot(name: pool.name, models: pool.models.map(\.pattern), snapshot: pool.gate.snapshot(now: now))
        }
        var status = StatusBuilder.status(
            pools: snapshots, connectedWorkers: connected, uptime: now - startedAt, server: configuration.serverName,
            now: now, journal: configuration.journal, ticketText: ticketText
        )
        fillHistory.record(used: status.used, reserved: status.reserved, at: now)
        status.rates = recentRates.rates(at: now)
        status.gateway = gatewayStatusSource?.gatewayStatus()
        if let cluster = clusterStatus() {
            status.cluster = cluster
            for index in status.workers.indices { status.workers[index].host = cluster.host }
        }
        return status
    }
}
