import DequeModule
import TokenGateCore
import TokenGateWire

/// The window's fill second by second over the last window, for `history` in the first snapshot
/// of a `subscribe` that asks for it: a dashboard that attaches draws what it missed.
///
/// Sampled once a second by the host's timer and at every status built; a second keeps its busiest
/// sample (the highest used + reserved). Bounded: one window of seconds, at most
/// `HistoryStatus.maxSeconds`.
struct FillHistory {
    struct Sample: Equatable {
        var second: Int64
        var used: Int64
        var reserved: Int64
    }

    let capacity: Int
    let startedAt: Instant
    /// Oldest first, at most `capacity`.
    private(set) var samples: Deque<Sample> = []

    init(window: TimeSpan, startedAt: Instant) {
        let seconds = (window.nanoseconds + 999_999_999) / 1_000_000_000
        capacity = Int(min(max(1, seconds), Int64(HistoryStatus.maxSeconds)))
        self.startedAt = startedAt
        samples.reserveCapacity(capacity)
    }

    /// Records the fill seen at `now`.
    mutating func record(used: Int64, reserved: Int64, at now: Instant) {
        let second = (now - startedAt).nanoseconds / 1_000_000_000
        if let last = samples.last {
            if second < last.second { return }
            if second == last.second {
                if used + reserved > last.used + last.reserved {
                    samples[samples.count - 1] = Sample(second: second, used: used, reserved: reserved)
                }
                return
            }
            // A second the timer missed (a busy loop) takes the fill seen next.
            var missing = last.second + 1
            while missing < second, second - missing < Int64(capacity) {
                append(Sample(second: missing, used: used, reserved: reserved))
                missing += 1
            }
        }
        append(Sample(second: second, used: used, reserved: reserved))
    }

    /// The seconds kept, oldest first, the last one the second of `now` (which the caller has just
    /// recorded); seconds older than a window are left out.
    func history(at now: Instant) -> HistoryStatus {
        let current = (now - startedAt).nanoseconds / 1_000_000_000
        let kept = samples.filter { $0.second > current - Int64(capacity) && $0.second <= current }
        return HistoryStatus(stepMs: 1000, used: kept.map(\.used), reserved: kept.map(\.reserved))
    }

    private mutating func append(_ sample: Sample) {
        if samples.count == capacity { samples.removeFirst() }
        samples.append(sample)
    }
}
