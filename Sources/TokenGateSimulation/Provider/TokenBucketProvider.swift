import TokenGateCore

/// A provider with a token bucket, as Anthropic documents its rate limits: the bucket holds at most
/// `limit` tokens, starts full, and refills continuously at `limit` per `window`. A request is
/// served when the bucket holds at least its real cost, which is taken out when it is sent.
///
/// The level is kept exactly: whole tokens plus a fraction in units of 1 / (window in nanoseconds),
/// so refills computed piecewise add up to the same level as one refill over the whole span.
public struct TokenBucketProvider: RateLimitedProvider {
    /// The bucket's capacity, and what it refills per window.
    public let limit: Int64
    /// The time the bucket takes to refill from empty to full.
    public let window: TimeSpan
    /// How refusals are answered.
    public let retryAfter: RetryAfter
    private var wholeTokens: Int64
    /// The fraction of a token, in units of 1 / `window.nanoseconds`; always below `window.nanoseconds`.
    private var fraction: Int64 = 0
    private var updatedAt: Instant

    /// A full bucket of `limit` tokens at `start`, refilling `limit` per `window`.
    public init(limit: Int64, window: TimeSpan, retryAfter: RetryAfter = RetryAfter(), start: Instant = .zero) {
        precondition(limit > 0 && window.nanoseconds > 0, "a provider needs a positive limit and window")
        self.limit = limit
        self.window = window
        self.retryAfter = retryAfter
        self.wholeTokens = limit
        self.updatedAt = start
    }

    /// Accepts when the bucket holds the request's tokens and takes them out; refuses with the
    /// instant the bucket will hold them otherwise.
    public mutating func offer(_ tokens: Int64, at now: Instant) -> ProviderDecision {
        refill(to: now)
        guard tokens <= limit else { return .tooLarge }
        // The level is wholeTokens + a fraction below one, so it covers an integer cost exactly
        // when the whole tokens do.
        if wholeTokens >= tokens {
            wholeTokens -= tokens
            return .accepted
        }
        // Missing: (tokens - wholeTokens) - fraction / W tokens, refilled at limit / W per ns.
        let missingWhole = tokens - wholeTokens
        let wait = FullWidthArithmetic.multiplyAddDivideRoundingUp(
            missingWhole - 1, window.nanoseconds, plus: window.nanoseconds - fraction, by: limit
        )
        let fitsAt = updatedAt + TimeSpan(nanoseconds: wait)
        return .refused(fitsAt: fitsAt, retryAfter: retryAfter.answer(forWait: fitsAt - updatedAt))
    }

    /// Remaining = the whole tokens in the bucket; reset = when the bucket would be full again.
    public func report(at now: Instant) -> ProviderReport {
        let level = level(at: now)
        let missing = limit - level
        let refill = missing > 0
            ? FullWidthArithmetic.multiplyAddDivideRoundingUp(missing, window.nanoseconds, by: limit) : 0
        return ProviderReport(limit: limit, exactRemaining: level, reset: max(now, updatedAt) + TimeSpan(nanoseconds: refill))
    }

    /// The whole tokens in the bucket at `now`.
    public func level(at now: Instant) -> Int64 {
        var copy = self
        copy.refill(to: now)
        return copy.wholeTokens
    }

    private mutating func refill(to now: Instant) {
        guard now > updatedAt else { return }
        let elapsed = now - updatedAt
        updatedAt = now
        guard wholeTokens < limit else { return }
        guard elapsed < window else {
            wholeTokens = limit
            fraction = 0
            return
        }
        // limit x elapsed / W < limit: the quotient fits.
        let gained = FullWidthArithmetic.multiplyAddDivide(limit, elapsed.nanoseconds, by: window.nanoseconds)
        wholeTokens += gained.quotient
        fraction += gained.remainder
        if fraction >= window.nanoseconds {
            fraction -= window.nanoseconds
            wholeTokens += 1
        }
        if wholeTokens >= limit {
            wholeTokens = limit
            fraction = 0
        }
    }
}
