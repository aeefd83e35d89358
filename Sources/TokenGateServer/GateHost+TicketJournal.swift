import TokenGateCore

/// Grants are journaled until their ticket closes, so a daemon killed while workers hold tickets
/// comes back knowing the capacity those requests took (their usage is still to be reported).
extension GateHost {
    /// Journals a grant (nothing without a journal).
    func journalGrant(_ grant: GateGrant, now: Instant) {
        guard let journal = configuration.journal else { return }
        let at = clock.epochMilliseconds(of: now)
        journal.append(.grant(JournalGrant(
            wallMilliseconds: at, ticket: ticketText(grant.ticket), worker: grant.worker,
            tokens: grant.reserved.tokens, input: grant.reserved.input, output: grant.reserved.output,
            requests: grant.reserved.requests,
            leaseUntilMilliseconds: at.addingReportingOverflow(configuration.gate.lease.millisecondsRoundedUp).partialValue,
            pool: journaledPool(pools.pool(of: grant.ticket))
        )))
    }

    /// Journals that a ticket, known to workers as `text`, no longer reserves anything.
    func journalTicketClosed(_ text: String) {
        if !recoveredTickets.isEmpty { recoveredTickets.remove(text) }
        configuration.journal?.append(.ticketClosed(ticket: text))
    }

    /// Holds again the grants a previous daemon made and never saw closed, each at its place on
    /// the timeline of its pool (from which it slides out as any grant) and open until its report, its
    /// release, or the end of its lease.
    func recoverOpenGrants(_ grants: [JournalGrant], now: Instant) -> Int {
        let wallNow = clock.epochMilliseconds(of: now)
        let lease = configuration.gate.lease
        func instant(_ wall: Int64) -> Instant { now - TimeSpan.milliseconds(wallNow - wall) }
        let held = grants.compactMap { grant -> (JournalGrant, Instant, Instant)? in
            let grantedAt = instant(grant.wallMilliseconds)
            let until = min(instant(grant.leaseUntilMilliseconds), grantedAt + lease)
            return until > now ? (grant, grantedAt, until) : nil
        }.sorted { $0.2 < $1.2 }
        for (grant, grantedAt, until) in held {
            let reserved = BudgetAmounts(
                tokens: max(0, grant.tokens), input: max(0, grant.input), output: max(0, grant.output),
                requests: max(0, grant.requests)
            )
            // Back in the pool that granted it (a pool removed since: default).
            let pool = grant.pool.flatMap(pools.index(named:)) ?? 0
            let id = pools[pool: pool].restoreTicket(
                worker: grant.worker, reserved: reserved, grantedAt: grantedAt, until: until, now: now
            )
            recoveredTickets.add(grant.ticket, as: id)
        }
        return held.count
    }
}
