extension Gate {
    /// Takes in what the provider reported for one budget. When it reports more spending than the
    /// timeline accounts for, the difference is counted as external usage in that budget, fading
    /// out at the provider's reset instant, so admission tightens at once by what the timeline
    /// cannot see, and by nothing more.
    ///
    /// Grants placed less than a send margin ago may not have reached the provider yet: they are
    /// left out of the comparison, so a reading taken while a batch is on its way never hides
    /// spending. A newer reading raises the figure at once and takes over the fade-out instant,
    /// but never lowers it below what the previous one still counts. Returns the external amount
    /// now counted.
    @discardableResult
    public mutating func observe(_ observation: ProviderObservation, now: Instant) -> Int64 {
        advance(to: now)
        providerObservations[observation.kind] = observation
        defer { admitQueue(now: now) }
        let kind = observation.kind
        guard let remaining = observation.remaining,
            let providerLimit = observation.limit ?? configuration.limit(of: kind)
        else { return external[kind]?.amount(at: now) ?? 0 }
        let providerUsed = max(0, providerLimit - remaining)
        let charged = max(0, timeline.load(kind) - timeline.reservedInMargin(now: now)[kind])
        // A newer reading never lowers the figure below what the older one still counts (it fades
        // to its reset): measured in `bench sim --workload shared`, replacing it instead doubled
        // the fleet's 429s (836 against 404 over both provider models, 64 and 256 workers). What
        // the older reading over-counted because a reservation was off is taken back by that
        // ticket's report (`correctExternalUsage`), so nothing counts twice.
        let unseen = max(providerUsed - charged, external[kind]?.amount(at: now) ?? .min)
        let fadesOutAt = observation.reset.map { max($0, now) } ?? (now + configuration.window)
        guard unseen > configuration.providerRounding, fadesOutAt > now else {
            // Keep a negative difference: later reports of the tickets out now may correct it.
            external[kind] = unseen < 0 && fadesOutAt > now
                ? ExternalUsage(amount: unseen, observedAt: now, fadesOutAt: fadesOutAt) : nil
            return 0
        }
        external[kind] = ExternalUsage(amount: unseen, observedAt: now, fadesOutAt: fadesOutAt)
        return unseen
    }

    /// A ticket granted (a send margin or more) before the latest reading closed with a real cost
    /// above its reservation: the provider's figure held the excess, and now the timeline does
    /// too, so the external figure drops by it (nothing counts twice). A cost below the
    /// reservation changes nothing: a provider that charges the estimate at arrival and refunds
    /// at the end (Anthropic's `max_tokens`) gives the difference back itself, and one that
    /// charged the real cost is read again at the next response.
    mutating func correctExternalUsage(grantedAt: Instant, reserved: BudgetAmounts, actual: BudgetAmounts) {
        guard !external.isEmpty else { return }
        // Grants within a send margin of the reading were left out of it: nothing to correct.
        for (kind, unseen) in external where grantedAt + configuration.sendMargin <= unseen.observedAt {
            let excess = actual[kind] - reserved[kind]
            if excess > 0 { external[kind]?.amount = unseen.amount - min(excess, max(0, unseen.amount)) }
        }
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
