/// How long the client waits between attempts to reach the daemon again: exponential, capped, with
/// jitter so that a fleet of workers does not reconnect in lockstep after a daemon restart. Shared
/// by the Swift client (to its daemon) and the daemon's Redis client (to Redis).
///
/// Attempt `n` (from 0) waits `min(maximum, initial * multiplier^n)`, of which the last `jitter`
/// fraction is random: with the defaults, 50 ms doubling up to 2 s, each wait between 50 % and 100 %
/// of its nominal value.
public struct ReconnectBackoff: Sendable, Hashable {
    /// The nominal wait before the first attempt after a connection is lost.
    public var initial: Duration
    /// The longest nominal wait.
    public var maximum: Duration
    /// The growth factor from one failed attempt to the next (at least 1).
    public var multiplier: Double
    /// The random share of each wait, from 0 (none) to 1 (anywhere between 0 and the nominal wait).
    public var jitter: Double

    /// A backoff; the defaults are 50 ms doubling up to 2 s with 50 % jitter.
    public init(
        initial: Duration = .milliseconds(50), maximum: Duration = .seconds(2), multiplier: Double = 2,
        jitter: Double = 0.5
    ) {
        self.initial = initial
        self.maximum = maximum
        self.multiplier = multiplier
        self.jitter = jitter
    }

    /// The nominal wait before attempt `attempt` (0 for the first), without jitter, in nanoseconds.
    public func nominalDelayNanoseconds(attempt: Int) -> Int64 {
        let initialNanos = max(0, initial.wholeNanoseconds)
        let maximumNanos = max(initialNanos, maximum.wholeNanoseconds)
        var delay = Double(initialNanos)
        let growth = max(1, multiplier)
        var step = 0
        while step < attempt, delay < Double(maximumNanos) {
            delay *= growth
            step += 1
        }
        return min(maximumNanos, Int64(delay))
    }

    /// The wait before attempt `attempt` (0 for the first), jitter applied, in nanoseconds.
    public func delayNanoseconds(attempt: Int) -> Int64 {
        var generator = SystemRandomNumberGenerator()
        return delayNanoseconds(attempt: attempt, using: &generator)
    }

    /// The wait before attempt `attempt`, jitter drawn from `generator`, in nanoseconds.
    public func delayNanoseconds(attempt: Int, using generator: inout some RandomNumberGenerator) -> Int64 {
        let nominal = nominalDelayNanoseconds(attempt: attempt)
        let share = min(1, max(0, jitter))
        guard share > 0, nominal > 0 else { return nominal }
        let fixed = Double(nominal) * (1 - share)
        let random = Double(nominal) * share * Double.random(in: 0...1, using: &generator)
        return Int64(fixed + random)
    }
}

extension Duration {
    /// The duration in whole nanoseconds, saturating at `Int64.max`.
    fileprivate var wholeNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (secondsNanos, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? Int64.min : Int64.max }
        let (total, overflowAdding) = secondsNanos.addingReportingOverflow(attoseconds / 1_000_000_000)
        return overflowAdding ? Int64.max : total
    }
}
