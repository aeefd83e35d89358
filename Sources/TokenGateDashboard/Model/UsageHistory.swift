import DequeModule
import TokenGateWire

/// Window usage over time, for the chart: one bucket per second holding the peak seen in it.
///
/// Snapshots arrive several times a second; keeping one bucket per second bounds memory (15 minutes
/// by default) and a column of the chart is the peak of its buckets, so short spikes stay visible.
public struct UsageHistory: Sendable {
    /// One second of history.
    public struct Bucket: Sendable, Equatable {
        /// The whole second on the dashboard's clock.
        public var second: Int64
        /// The peak `used` (tokens in the window) seen during this second.
        public var used: Int64
        /// The peak `used + reserved`.
        public var committed: Int64
        /// The latest limit and threshold seen during this second.
        public var limit: Int64
        public var threshold: Double
    }

    /// One chart column: the peak of the buckets it covers, or `nil` when there is no data for it.
    public struct Column: Sendable, Equatable {
        public var used: Int64
        public var committed: Int64
    }

    /// Oldest first, at most `capacity`: the oldest is dropped when a new second comes in full.
    private var buckets: Deque<Bucket> = []
    private let capacity: Int

    /// Keeps the last `seconds` seconds.
    public init(seconds: Int = 900) {
        capacity = max(1, seconds)
        buckets.reserveCapacity(capacity)
    }

    /// How many seconds hold data.
    public var count: Int { buckets.count }
    /// The most recent second.
    public var latest: Bucket? { buckets.last }
    /// Every second kept, oldest first.
    public var all: [Bucket] { Array(buckets) }

    /// Records one snapshot seen at `time` (seconds).
    public mutating func record(time: Double, used: Int64, reserved: Int64, limit: Int64, threshold: Double) {
        let second = Int64(time.rounded(.down))
        let committed = used + max(0, reserved)
        if var last = buckets.last, last.second == second {
            last.used = max(last.used, used)
            last.committed = max(last.committed, committed)
            last.limit = limit
            last.threshold = threshold
            buckets[buckets.count - 1] = last
        } else if buckets.last.map({ $0.second < second }) ?? true {
            append(Bucket(second: second, used: used, committed: committed, limit: limit, threshold: threshold))
        }
    }

    /// Takes in the daemon's own record of the last seconds (status `history`, oldest first, the
    /// last entry the second of `time`): the seconds after the latest one held are added, so a
    /// dashboard that attaches, or comes back after a disconnect, draws what it missed. Seconds
    /// already held keep what this dashboard saw.
    public mutating func backfill(_ history: HistoryStatus, time: Double, limit: Int64, threshold: Double) {
        let count = min(history.used.count, history.reserved.count)
        guard count > 0, history.stepMs == 1000 else { return }
        let lastSecond = Int64(time.rounded(.down))
        for index in 0..<count {
            let second = lastSecond - Int64(count - 1 - index)
            guard buckets.last.map({ $0.second < second }) ?? true else { continue }
            let used = max(0, history.used[index])
            append(Bucket(
                second: second, used: used, committed: used + max(0, history.reserved[index]), limit: limit,
                threshold: threshold))
        }
    }

    /// `count` columns of `secondsPerColumn` seconds each, the last one ending with the second that
    /// contains `now`; oldest first.
    public func columns(count: Int, secondsPerColumn: Int, now: Double) -> [Column?] {
        guard count > 0 else { return [] }
        let span = Int64(max(1, secondsPerColumn))
        let lastSecond = Int64(now.rounded(.down))
        // Column i covers seconds [firstSecond + i*span, firstSecond + (i+1)*span).
        let firstSecond = lastSecond + 1 - Int64(count) * span
        var columns = [Column?](repeating: nil, count: count)
        for bucket in buckets {
            guard bucket.second >= firstSecond, bucket.second <= lastSecond else { continue }
            let column = Int((bucket.second - firstSecond) / span)
            if let existing = columns[column] {
                columns[column] = Column(
                    used: max(existing.used, bucket.used), committed: max(existing.committed, bucket.committed))
            } else {
                columns[column] = Column(used: bucket.used, committed: bucket.committed)
            }
        }
        return columns
    }

    private mutating func append(_ bucket: Bucket) {
        if buckets.count == capacity { buckets.removeFirst() }
        buckets.append(bucket)
    }
}
