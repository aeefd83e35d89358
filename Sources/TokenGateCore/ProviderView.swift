/// What the provider said about one budget in its rate-limit headers, at one instant.
public struct ProviderObservation: Hashable, Sendable {
    public var kind: BudgetKind
    /// The provider's limit for this budget, when it said.
    public var limit: Int64?
    /// What the provider says is left (rounded by the provider).
    public var remaining: Int64?
    /// When the provider's budget is fully replenished.
    public var reset: Instant?
    public var observedAt: Instant

    public init(kind: BudgetKind, limit: Int64?, remaining: Int64?, reset: Instant?, observedAt: Instant) {
        self.kind = kind
        self.limit = limit
        self.remaining = remaining
        self.reset = reset
        self.observedAt = observedAt
    }
}

/// Spending the daemon cannot see in one budget: the provider reported less room than the local
/// timeline accounts for. It fades linearly to zero at the provider's reset instant (the
/// provider's bucket refills continuously), and stops counting after it.
///
/// `amount` may be negative: the local timeline then counted more than the provider had charged
/// (reservations above their real cost). Reports of tickets granted before the reading correct it
/// (`Gate.correctExternalUsage`), so spending the daemon learns of later is not counted twice.
public struct ExternalUsage: Hashable, Sendable {
    /// Unseen tokens at `observedAt` (negative: the timeline counted more than the provider).
    public var amount: Int64
    public var observedAt: Instant
    public var fadesOutAt: Instant

    /// The unseen amount still counting at `now`, rounded up (never under-counts); never negative.
    public func amount(at now: Instant) -> Int64 {
        guard now < fadesOutAt, amount > 0 else { return 0 }
        guard now > observedAt else { return amount }
        let remaining = Double((fadesOutAt - now).nanoseconds) / Double(max(1, (fadesOutAt - observedAt).nanoseconds))
        return Int64((Double(amount) * remaining).rounded(.up))
    }

    /// The earliest instant at which the unseen amount is at most `allowed`.
    public func instant(whenAtMost allowed: Int64) -> Instant? {
        guard amount > allowed else { return nil }
        guard allowed > 0 else { return fadesOutAt }
        let span = Double((fadesOutAt - observedAt).nanoseconds)
        let fraction = 1 - Double(allowed) / Double(amount)
        return observedAt + TimeSpan(nanoseconds: Int64((span * fraction).rounded(.up)))
    }
}
