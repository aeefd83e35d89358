extension Duration {
    /// The duration in whole nanoseconds, saturating at `Int64.max`.
    var wholeNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (secondsNanos, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? Int64.min : Int64.max }
        let (total, overflowAdding) = secondsNanos.addingReportingOverflow(attoseconds / 1_000_000_000)
        return overflowAdding ? Int64.max : total
    }

    /// The duration in milliseconds, rounded up (a 0.5 ms timeout is 1 ms, not 0), at least 0.
    var wholeMillisecondsRoundedUp: Int64 {
        let nanos = max(0, wholeNanoseconds)
        return nanos / 1_000_000 + (nanos % 1_000_000 == 0 ? 0 : 1)
    }
}
