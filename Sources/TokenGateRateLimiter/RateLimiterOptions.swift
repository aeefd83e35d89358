import TokenGateCore

/// Which rules a `RateLimiter` follows.
public struct RateLimiterOptions: Sendable, Hashable {
    /// tokengate's rules at `threshold` (0.9 by default): FIFO, reservations when an estimate is
    /// given, a grant at the exact instant capacity frees.
    public static func tokengate(threshold: Double = 0.9) -> RateLimiterOptions {
        RateLimiterOptions(policy: .reserving, threshold: threshold)
    }

    /// The original limiter's rules exactly: a slot is free while usage in the last 60 s is under
    /// 80 % of the limit, and a waiter re-checks every 2 s. Nothing is reserved.
    public static let seedCompatible = RateLimiterOptions(policy: .seedOriginal, threshold: 0.8)

    let policy: AdmissionPolicy
    let threshold: Double

    /// The window the original limiter measures: one minute.
    static let window = TimeSpan.seconds(60)
}
