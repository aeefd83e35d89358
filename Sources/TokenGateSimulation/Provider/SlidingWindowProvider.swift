import DequeModule
import TokenGateCore

/// A provider with a hard sliding window: the tokens of the requests sent in the last `window`
/// never exceed `limit`. A request sent at `t` counts from `t` until just before `t + window`
/// (exactly as the gate counts usage), and is charged its whole real cost when it is sent.
public struct SlidingWindowProvider: RateLimitedProvider {
    struct Charge: Sendable {
        let at: Instant
        let tokens: Int64
    }

    /// The most tokens the window may hold.
    public let limit: Int64
    /// How long a charge counts.
    public let window: TimeSpan
    /// How refusals are answered.
    public let retryAfter: RetryAfter
    private var charges: Deque<Charge> = []
    private var total: Int64 = 0
    private var latest = Instant.zero

    /// A provider allowing `limit` tokens in any `window`.
    public init(limit: Int64, window: TimeSpan, retryAfter: RetryAfter = RetryAfter()) {
        precondition(limit > 0 && window.nanoseconds > 0, "a provider needs a positive limit and window")
        self.limit = limit
        self.window = window
        self.retryAfter = retryAfter
    }

    /// Accepts when the window holds at most `limit` with the request; refuses with the instant
    /// enough charges will have slid out otherwise.
    public mutating func offer(_ tokens: Int64, at now: Instant) -> ProviderDecision {
        let now = max(now, latest)
        latest = now
        expire(at: now)
        guard tokens <= limit else { return .tooLarge }
        if total.addingSaturating(tokens) <= limit {
            if tokens > 0 {
                charges.append(Charge(at: now, tokens: tokens))
                total += tokens
            }
            return .accepted
        }
        var remaining = total
        var fitsAt = now
        for charge in charges {
            remaining -= charge.tokens
            if remaining + tokens <= limit {
                fitsAt = charge.at + window
                break
            }
        }
        return .refused(fitsAt: fitsAt, retryAfter: retryAfter.answer(forWait: fitsAt - now))
    }

    /// Remaining = limit - the window's tokens; reset = when the window is fully replenished, i.e.
    /// when its newest charge leaves (what anthropic-ratelimit-*-reset means).
    public func report(at now: Instant) -> ProviderReport {
        let live = charges.filter { $0.at + window > now }
        let used = live.reduce(0) { $0 + $1.tokens }
        let reset = live.last.map { $0.at + window } ?? now
        return ProviderReport(limit: limit, exactRemaining: limit - used, reset: reset)
    }

    /// The tokens counted in the window at `now`.
    public func used(at now: Instant) -> Int64 {
        charges.reduce(0) { $1.at + window > now ? $0 + $1.tokens : $0 }
    }

    private mutating func expire(at now: Instant) {
        while let first = charges.first, first.at + window <= now {
            charges.removeFirst()
            total -= first.tokens
        }
    }
}
