/// A point in time on the caller's clock, in nanoseconds. The core never reads a clock: every call
/// takes the current instant, so tests run in virtual time.
public struct Instant: Comparable, Hashable, Sendable, CustomStringConvertible {
    /// Nanoseconds since an arbitrary origin chosen by the caller.
    public var nanoseconds: Int64

    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    /// The origin of the caller's clock.
    public static let zero = Instant(nanoseconds: 0)

    /// An instant `seconds` after the origin (fractions allowed).
    public static func seconds(_ seconds: Double) -> Instant { Instant(nanoseconds: TimeSpan.seconds(seconds).nanoseconds) }

    /// An instant `milliseconds` after the origin.
    public static func milliseconds(_ milliseconds: Int64) -> Instant {
        Instant(nanoseconds: TimeSpan.milliseconds(milliseconds).nanoseconds)
    }

    public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.nanoseconds < rhs.nanoseconds }

    public static func + (lhs: Instant, rhs: TimeSpan) -> Instant {
        Instant(nanoseconds: lhs.nanoseconds.addingSaturating(rhs.nanoseconds))
    }

    public static func - (lhs: Instant, rhs: TimeSpan) -> Instant {
        Instant(nanoseconds: lhs.nanoseconds.addingSaturating(-rhs.nanoseconds))
    }

    public static func - (lhs: Instant, rhs: Instant) -> TimeSpan {
        TimeSpan(nanoseconds: lhs.nanoseconds.addingSaturating(-rhs.nanoseconds))
    }

    public var description: String { "t=\(TimeSpan(nanoseconds: nanoseconds))" }
}

/// A length of time in nanoseconds.
public struct TimeSpan: Comparable, Hashable, Sendable, CustomStringConvertible {
    public var nanoseconds: Int64

    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    public static let zero = TimeSpan(nanoseconds: 0)

    /// A span of `seconds` (fractions allowed), rounded to the nanosecond and clamped to Int64.
    public static func seconds(_ seconds: Double) -> TimeSpan {
        let nanos = (seconds * 1e9).rounded()
        guard nanos.isFinite else { return TimeSpan(nanoseconds: nanos > 0 ? .max : .min) }
        if nanos >= 9.2e18 { return TimeSpan(nanoseconds: .max) }
        if nanos <= -9.2e18 { return TimeSpan(nanoseconds: .min) }
        return TimeSpan(nanoseconds: Int64(nanos))
    }

    public static func milliseconds(_ milliseconds: Int64) -> TimeSpan {
        TimeSpan(nanoseconds: milliseconds.multipliedSaturating(by: 1_000_000))
    }

    /// Whole milliseconds, rounded up so that a wait is never reported shorter than it is.
    public var millisecondsRoundedUp: Int64 {
        nanoseconds <= 0 ? 0 : (nanoseconds - 1) / 1_000_000 + 1
    }

    /// Whole milliseconds, rounded down.
    public var milliseconds: Int64 { nanoseconds / 1_000_000 }

    public var seconds: Double { Double(nanoseconds) / 1e9 }

    public static func < (lhs: TimeSpan, rhs: TimeSpan) -> Bool { lhs.nanoseconds < rhs.nanoseconds }

    public static func + (lhs: TimeSpan, rhs: TimeSpan) -> TimeSpan {
        TimeSpan(nanoseconds: lhs.nanoseconds.addingSaturating(rhs.nanoseconds))
    }

    public static func * (lhs: TimeSpan, rhs: Int64) -> TimeSpan {
        TimeSpan(nanoseconds: lhs.nanoseconds.multipliedSaturating(by: rhs))
    }

    public var description: String { "\(seconds)s" }
}
