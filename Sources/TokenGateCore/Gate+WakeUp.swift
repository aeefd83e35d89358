extension Gate {
    /// The earliest instant after `now` at which something changes for the queue if no call comes
    /// in between: the head becomes admissible as usage slides out, a cooldown ends, a lease or a
    /// deadline expires, or (seed policy) a waiter re-checks. Nil when nothing will change by time
    /// alone. A server keeps one timer on it and calls `advance(to:)` when it fires.
    public func nextWakeUp(now: Instant) -> Instant? {
        var candidates: [Instant] = []
        if let until = cooldownUntil, until > now { candidates.append(until) }
        if let lease = earliestLease() { candidates.append(lease) }
        if let deadline = earliestDeadline() { candidates.append(deadline) }
        switch configuration.policy {
        case .reserving:
            guard decidesAdmission, !queue.isEmpty, !isPaused else { break }
            if let head = head(now: now), let admissible = admissibleAt(head, now: now) {
                candidates.append(admissible)
            }
            let mayGo = { (waiter: Waiter) in self.mayGo(waiter, now: now) }
            if let promotion = queue.nextPromotion(now: now, aging: configuration.priorityAging, where: mayGo) {
                candidates.append(promotion)
            }
            if let relief = earliestCapRelief(now: now) { candidates.append(relief) }
        case .seed:
            guard decidesAdmission else { break }
            if let recheck = queue.all.lazy.map(\.nextRecheck).min() { candidates.append(recheck) }
        }
        guard let earliest = candidates.min() else { return nil }
        return max(earliest, now)
    }

    private func earliestLease() -> Instant? {
        for id in leaseOrder {
            if let ticket = tickets[id] { return ticket.leaseExpiresAt }
        }
        return nil
    }

    private func earliestDeadline() -> Instant? {
        if let earliest = deadlines.min, queuedDeadlines[earliest.waiter] != nil { return earliest.deadline }
        return queuedDeadlines.values.min()
    }

    /// The waiter first in order as of `now` that is not passed over (paused, or at its cap): the
    /// one that goes next, or that every other waits behind.
    func head(now: Instant) -> Waiter? {
        queue.best(now: now, aging: configuration.priorityAging) { mayGo($0, now: now) }.map { queue[$0] }
    }

    /// When `waiter` becomes admissible under the reserving policy if nothing but time passes:
    /// nil when paused.
    func admissibleAt(_ waiter: Waiter, now: Instant) -> Instant? {
        guard !isPaused else { return nil }
        // Each budget fits from its instant on (its load and its unseen spending only fall while
        // nothing is placed and no reading comes), so the waiter fits from the latest of them.
        var latest = max(now, cooldownUntil ?? now)
        for kind in configuration.budgets {
            guard let capacity = configuration.capacity(of: kind, for: waiter.priority) else { continue }
            let allowed = waiter.demand[kind] > capacity ? 0 : capacity - waiter.demand[kind]
            let instant = external[kind].map {
                timeline.instant(whenAtMost: allowed, of: kind, with: $0, now: now, configuration: configuration)
            } ?? timeline.instant(whenAtMost: allowed, of: kind, configuration: configuration)
            if let instant { latest = max(latest, instant) }
        }
        return latest
    }
}
