import TokenGateCore

/// What a provider says about its limit in the headers of a response it served, as Anthropic's
/// anthropic-ratelimit-tokens-{limit,remaining,reset} do.
public struct ProviderReport: Hashable, Sendable {
    /// The limit, in tokens per window.
    public var limit: Int64
    /// The tokens left, rounded down to whole thousands (as the provider rounds it).
    public var remaining: Int64
    /// When the limit is fully available again.
    public var reset: Instant

    /// A report; `remaining` is rounded down to whole thousands here.
    public init(limit: Int64, exactRemaining: Int64, reset: Instant) {
        self.limit = limit
        let clamped = max(0, min(limit, exactRemaining))
        self.remaining = clamped / 1_000 * 1_000
        self.reset = reset
    }

    /// The observation a worker forwards to the gate at `now`.
    public func observation(at now: Instant) -> ProviderObservation {
        ProviderObservation(kind: .tokens, limit: limit, remaining: remaining, reset: reset, observedAt: now)
    }
}
