import TokenGateCore

/// The seed limiter's API on tokengate's rules: code written against the Rust
/// `RateLimiter::new(tokens_per_minute)`, `acquire_slot()`, `record_usage(tokens)`,
/// `current_usage()` and `tokens_per_minute()` moves over by changing one line.
///
/// Two backings behind one type: in-process (`init(tokensPerMinute:)`, one embedded gate, no
/// daemon) and shared (`init(socket:worker:)`, every call goes through the daemon, so all processes
/// on the machine share one window).
public final class RateLimiter: Sendable {
    private let backing: any RateLimiterBacking

    /// An in-process limiter of `tokensPerMinute` over a sliding 60 s window.
    public convenience init(tokensPerMinute: UInt64, options: RateLimiterOptions = .tokengate()) {
        self.init(tokensPerMinute: tokensPerMinute, options: options, clock: ContinuousClock())
    }

    /// An in-process limiter driven by `clock` (tests pass a manual clock to run in virtual time).
    public init<C: Clock>(tokensPerMinute: UInt64, options: RateLimiterOptions = .tokengate(), clock: C)
    where C.Duration == Duration {
        self.backing = EmbeddedGate(tokensPerMinute: tokensPerMinute, options: options, clock: clock)
    }

    init(backing: any RateLimiterBacking) {
        self.backing = backing
    }

    /// The limit this limiter enforces, in tokens per minute.
    public var tokensPerMinute: UInt64 { backing.tokensPerMinute }

    /// Returns when a request may go. Under the seed's rules: once usage in the last minute is
    /// under 80 % of the limit. Under tokengate's: in FIFO order, when the recent mean cost fits.
    public func acquireSlot() async {
        await backing.acquire(estimate: nil)
    }

    /// Returns when a request expected to spend `estimate` tokens may go, and reserves them until
    /// the matching `recordUsage`.
    public func acquireSlot(estimate: UInt64) async {
        await backing.acquire(estimate: estimate)
    }

    /// Records what a request really spent. It settles the oldest outstanding slot (replacing its
    /// reservation), or counts on its own when none is outstanding.
    public func recordUsage(_ tokens: UInt64) async {
        await backing.record(tokens: tokens)
    }

    /// Tokens spent in the last minute.
    public func currentUsage() async -> UInt64 {
        await backing.currentUsage()
    }
}

/// What a `RateLimiter` runs on.
protocol RateLimiterBacking: Sendable {
    var tokensPerMinute: UInt64 { get }
    func acquire(estimate: UInt64?) async
    func record(tokens: UInt64) async
    func currentUsage() async -> UInt64
}

extension UInt64 {
    /// Clamped into a token count the gate accepts (0 ... 2^53-1).
    var clampedCount: Int64 { Int64(Swift.min(self, UInt64(TokenCount.maximum))) }
}
