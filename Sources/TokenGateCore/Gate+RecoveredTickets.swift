extension Gate {
    /// Holds again a reservation granted before a restart and not yet settled: its request was
    /// sent then and its usage is still to be reported, so it takes its place on the timeline at
    /// `grantedAt` again (and slides out from there as any grant) until the report (which settles
    /// it as any ticket), a release, or `until`, when the ticket is dropped without a charge.
    ///
    /// Call it at start, before any acquire, in order of `until`. Returns the ticket's new id.
    public mutating func restoreTicket(
        worker: String, reserved: BudgetAmounts, grantedAt: Instant, until: Instant, now: Instant
    ) -> TicketID {
        let ticket = Ticket(
            id: TicketID(rawValue: nextTicketNumber), worker: worker, owner: nil, reserved: reserved,
            grantedAt: grantedAt, leaseExpiresAt: until, chargesAtLeaseEnd: false
        )
        nextTicketNumber += identifiers.stride
        tickets[ticket.id] = ticket
        leaseOrder.append(ticket.id)
        timeline.reserve(reserved, at: grantedAt, now: now)
        touch(worker, now: now)
        workers[worker]?.inFlight += 1
        workers[worker]?.reserved += reserved
        advance(to: now)
        return ticket.id
    }
}
