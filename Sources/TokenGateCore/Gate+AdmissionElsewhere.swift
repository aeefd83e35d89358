extension Gate {
    /// From now on the gate keeps the books of grants decided elsewhere (`serve --redis`: the
    /// organisation's shared admission decides) instead of deciding them: an acquire always
    /// queues, a waiter leaves the queue only when `grantDecidedElsewhere(_:now:)` grants it, by
    /// its deadline or by a withdrawal; usage, reservations, leases, cooldowns and workers are kept
    /// as before.
    public mutating func decideAdmissionElsewhere() {
        decidesAdmission = false
    }

    /// What a queued waiter asks for (its estimate, or the worker's mean cost); nil when it is not
    /// queued.
    public func demand(of waiter: WaiterID) -> BudgetAmounts? {
        queue.all.first { $0.id == waiter }?.demand
    }

    /// Grants a queued waiter now, whatever the gate's own window says: the decision was made
    /// elsewhere. The grant is also left in `takeOutcomes()`, as any grant of a waiter; nil when
    /// the waiter is no longer queued (it timed out or was withdrawn).
    public mutating func grantDecidedElsewhere(_ waiter: WaiterID, now: Instant) -> GateGrant? {
        advance(to: now)
        guard let queued = queue.remove(waiter) else { return nil }
        dequeued(queued)
        let grant = grant(queued, now: now)
        pendingOutcomes.append(.granted(grant))
        return grant
    }
}
