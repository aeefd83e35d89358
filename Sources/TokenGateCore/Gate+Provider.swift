extension Gate {
    /// Takes in what the provider reported for one budget. When it reports less room than the
    /// local window believes (used + reserved), the difference is counted as external usage in
    /// that budget until the provider's reset instant, so admission tightens at once.
    ///
    /// A newer observation never lowers external usage below what the older one still counts: a
    /// reading taken while grants are out but not yet charged by the provider under-states the
    /// unseen spending (their reservations count locally, not yet at the provider), and trusting it
    /// would open admission exactly when a batch of requests is about to land. It can raise the
    /// figure at once, and it moves the fade-out to its own reset instant (the provider says all is
    /// free by then). Returns the external amount now counted.
    @discardableResult
    public mutating func observe(_ observation: ProviderObservation, now: Instant) -> Int64 {
        advance(to: now)
        providerObservations[observation.kind] = observation
        defer { admitQueue(now: now) }
        guard let remaining = observation.remaining,
            let providerLimit = observation.limit ?? configuration.limit(of: observation.kind)
        else { return external[observation.kind]?.amount(at: now) ?? 0 }
        let providerUsed = max(0, providerLimit - remaining)
        let localUsed = window.total[observation.kind].addingSaturating(reservedTotal[observation.kind])
        let unseen = max(providerUsed - localUsed, external[observation.kind]?.amount(at: now) ?? 0)
        let fadesOutAt = observation.reset.map { max($0, now) } ?? (now + configuration.window)
        guard unseen > 0, fadesOutAt > now else {
            external[observation.kind] = nil
            return 0
        }
        external[observation.kind] = ExternalUsage(amount: unseen, observedAt: now, fadesOutAt: fadesOutAt)
        return unseen
    }

    /// Adopts the provider's limit for a budget (`--limit auto`); the queue is re-evaluated at once.
    public mutating func adoptProviderLimit(of kind: BudgetKind, now: Instant) throws(ConfigurationError) {
        guard let limit = providerObservations[kind]?.limit, limit != configuration.limit(of: kind) else { return }
        try setLimit(limit, for: kind, now: now)
    }

    /// Unseen usage counted in `kind` at `now`.
    public func externalUsage(of kind: BudgetKind, at now: Instant) -> Int64 {
        external[kind]?.amount(at: now) ?? 0
    }

    /// The provider's latest observation for `kind`.
    public func providerObservation(of kind: BudgetKind) -> ProviderObservation? {
        providerObservations[kind]
    }

    /// Forgets external usage that has faded out.
    mutating func dropFadedExternalUsage(now: Instant) {
        guard !external.isEmpty else { return }
        external = external.filter { $0.value.fadesOutAt > now }
    }
}
