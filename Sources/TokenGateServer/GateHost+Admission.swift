import TokenGateCore

/// The steps a socket connection's requests and the HTTP gateway's requests share: asking for a
/// grant, giving a ticket back, withdrawing an owner. Each keeps the local books, the journal and
/// the metrics, and (`serve --redis`) the organisation's shared admission in step.
extension GateHost {
    /// Asks pool `pool` for a grant for `owner` (a connection or a gateway request). Outcomes the
    /// gate resolved while catching up to `now` are delivered first. A grant made at once is
    /// journaled and counted; a queued waiter asks Redis for its grant (with `--redis` every
    /// acquire queues: Redis decides); the caller answers a queued waiter when `settleOutcomes`
    /// delivers its outcome.
    func admit(
        worker: String, estimate: Estimate, priority: Priority, deadline: Instant?, owner: OwnerID, pool: Int, now: Instant
    ) -> AcquireDecision {
        let decision = pools[pool: pool].acquire(
            worker: worker, estimate: estimate, priority: priority, deadline: deadline, owner: owner, now: now
        )
        settleOutcomes()
        switch decision {
        case .granted(let grant):
            journalGrant(grant, now: now)
            countGrant(grant, now: now)
        case .queued(let waiter):
            clusterQueued(waiter, pool: pool)
        case .timedOut:
            metrics?.timedOut(pool: pool)
        }
        return decision
    }

    /// Gives back the ticket a worker knows as `text` (its request never reached the provider);
    /// false when no pool holds it.
    func releaseTicket(_ text: String, now: Instant) -> Bool {
        let released = ticketID(text)
        guard pools.release(ticket: released, now: now) else { return false }
        journalTicketClosed(text)
        clusterTicketReleased(released)
        metrics?.released(pool: pools.pool(of: released))
        return true
    }

    /// Withdraws what `owner` waits for and holds: its waiters leave the queues (the shared one
    /// too), its tickets are released.
    @discardableResult
    func withdraw(owner: OwnerID, now: Instant) -> Withdrawal {
        let withdrawal = pools.withdraw(owner: owner, now: now)
        for ticket in withdrawal.ticketsReleased {
            journalTicketClosed(ticketText(ticket))
            clusterTicketReleased(ticket)
        }
        for waiter in withdrawal.waitersDropped { clusterWaiterLeft(waiter) }
        return withdrawal
    }
}
