extension Gate {
    /// Takes in what the provider reported for one budget. When it reports more spending than the
    /// timeline accounts for, the difference is counted as external usage in that budget, fading
    /// out at the provider's reset instant, so admission tightens at once by what the timeline
    /// cannot see, and by nothing more.
    ///
    /// Grants placed less than a send margin ago may not have reached the provider yet: they are
    /// left out of the comparison, so a reading taken while a batch is on its way never hides
    /// spending. Those that had reached it would then count twice once out of the margin (on the
    /// timeline and as unseen): the reading counts them only until one taken a send margin later
    /// takes over (see `UnseenSpending`). What is left with them in (the firm figure) a newer
    /// reading raises at once but never lowers below what the older one still counts. Returns the
    /// external amount now counted.
    @discardableResult
    public mutating func observe(_ observation: ProviderObservation, now: Instant) -> Int64 {
        advance(to: now)
        providerObservations[observation.kind] = observation
        defer { admitQueue(now: now) }
        let kind = observation.kind
        guard let remaining = observation.remaining,
            let providerLimit = observation.limit ?? configuration.limit(of: kind)
        else { return externalUsage(of: kind, at: now) }
        let providerUsed = max(0, providerLimit - remaining)
        let load = timeline.load(kind)
        let charged = max(0, load - timeline.reservedInMargin(now: now)[kind])
        let fadesOutAt = observation.reset.map { max($0, now) } ?? (now + configuration.window)
        guard fadesOutAt > now else {
            external[kind] = nil
            return 0
        }
        var unseen = external[kind] ?? UnseenSpending()
        unseen.take(
            upper: providerUsed - charged, lower: providerUsed - load, now: now, fadesOutAt: fadesOutAt,
            sendMargin: configuration.sendMargin, rounding: configuration.providerRounding
        )
        external[kind] = unseen.isEmpty ? nil : unseen
        return unseen.amount(at: now)
    }

    /// A ticket granted (a send margin or more) before a reading closed with a real cost above its
    /// reservation: the provider's figure held the excess, and now the timeline does too, so the
    /// external figure drops by it (nothing counts twice). A cost below the reservation changes
    /// nothing: a provider that charges the estimate at arrival and refunds at the end
    /// (Anthropic's `max_tokens`) gives the difference back itself, and one that charged the real
    /// cost is read again at the next response.
    mutating func correctExternalUsage(grantedAt: Instant, reserved: BudgetAmounts, actual: BudgetAmounts) {
        guard !external.isEmpty else { return }
        for kind in Array(external.keys) {
            external[kind]?.correct(
                grantedAt: grantedAt, excess: actual[kind] - reserved[kind], sendMargin: configuration.sendMargin
            )
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
        for kind in Array(external.keys) {
            external[kind]?.dropFaded(now: now)
            if external[kind]?.isEmpty == true { external[kind] = nil }
        }
    }
}
