import TokenGateCore

/// A simulated provider's answer to one request.
public enum ProviderDecision: Hashable, Sendable {
    /// Served: the request's tokens are charged at the instant it was sent.
    case accepted
    /// 429, nothing charged. `fitsAt` is the exact instant from which the request would fit if
    /// nothing else were sent; `retryAfter` is what the provider tells the client (see
    /// `RetryAfter`), always long enough to reach `fitsAt`.
    case refused(fitsAt: Instant, retryAfter: TimeSpan)
    /// Larger than the limit itself: it can never fit.
    case tooLarge
}

/// A provider that enforces an organisation's token limit on the requests sent to it.
public protocol RateLimitedProvider: Sendable {
    /// The limit, in tokens per window.
    var limit: Int64 { get }
    /// Offers a request of `tokens` at `now`: charges it and answers `.accepted`, or refuses it and
    /// changes nothing. Instants must not decrease from one call to the next.
    mutating func offer(_ tokens: Int64, at now: Instant) -> ProviderDecision
    /// The rate-limit headers of a response served at `now` (after its charge).
    func report(at now: Instant) -> ProviderReport
}

/// How a provider turns the exact wait into its `retry-after` answer: whole units (1 s, as the
/// HTTP header carries), rounded up, and at least one unit.
public struct RetryAfter: Hashable, Sendable {
    /// The unit of the answer (1 s by default).
    public var granularity: TimeSpan

    /// Answers in whole `granularity` units.
    public init(granularity: TimeSpan = .seconds(1)) {
        self.granularity = TimeSpan(nanoseconds: max(1, granularity.nanoseconds))
    }

    /// The answer for a request that fits after `wait`.
    public func answer(forWait wait: TimeSpan) -> TimeSpan {
        let unit = granularity.nanoseconds
        let units = max(1, wait.nanoseconds <= 0 ? 1 : (wait.nanoseconds - 1) / unit + 1)
        return TimeSpan(nanoseconds: units.multipliedSaturating(by: unit))
    }
}
