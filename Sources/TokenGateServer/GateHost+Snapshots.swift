import NIOCore
import TokenGateCore
import TokenGateWire

extension GateHost {
    /// Answers `subscribe`: `{ok}`, a snapshot at once, then one every interval and on changes.
    func subscribe(_ session: Session, interval: TimeSpan, id: RequestID?, now: Instant) {
        session.subscription?.timer?.cancel()
        session.subscription = Subscription(interval: interval)
        subscribers[session.id] = session
        session.write(Reply.encodeOK(id: id))
        push(to: session, encoded: Reply.encodeSnapshotEvent(status: status(now: now).encoded()))
        scheduleTick(for: session)
    }

    private func scheduleTick(for session: Session) {
        guard let interval = session.subscription?.interval else { return }
        let timer = eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(interval.nanoseconds)) { [self] in
            guard !session.isClosed, session.subscription != nil else { return }
            let now = clock.now()
            push(to: session, encoded: Reply.encodeSnapshotEvent(status: status(now: now).encoded()))
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
        let line = Reply.encodeSnapshotEvent(status: status(now: now).encoded())
        for session in subscribers.values {
            push(to: session, encoded: line)
        }
    }

    /// Sends one snapshot line; a subscriber that leaves too much unread is disconnected.
    private func push(to session: Session, encoded line: [UInt8]) {
        guard !session.isClosed else { return }
        if session.unsentBytes > configuration.subscriberBacklogLimit {
            logger.warning(
                "subscriber not reading; disconnecting", metadata: ["worker": "\(session.worker)", "unsent": "\(session.unsentBytes)"]
            )
            session.channel.close(promise: nil)
            return
        }
        session.send(line)
    }

    /// The Status object as of `now`.
    func status(now: Instant) -> Status {
        let snapshot = gate.snapshot(now: now)
        let connected = Set(sessions.values.flatMap(\.workerNames))
        return StatusBuilder.status(
            from: snapshot, connectedWorkers: connected, uptime: now - startedAt, server: configuration.serverName,
            now: now, journal: configuration.journal
        )
    }

    func stateName(_ state: GateSnapshot.State) -> GateStateName {
        switch state {
        case .running: .running
        case .paused: .paused
        case .cooldown: .cooldown
        }
    }
}
