import TokenGateCore

extension SQLiteJournal {
    /// The options a journal is opened with; the defaults are the daemon's.
    public struct Options: Sendable {
        /// Records older than this are pruned (`--retain DAYS`, 7 days by default).
        public var retention: TimeSpan = .seconds(7 * 24 * 3600)
        /// How often the buffer is committed.
        public var commitInterval: TimeSpan = .milliseconds(100)
        /// How often old records are pruned (and once at start).
        public var pruneInterval: TimeSpan = .seconds(60)
        /// How long to wait before retrying after a failed write.
        public var retryInterval: TimeSpan = .milliseconds(500)
        /// Events the buffer holds before it drops the oldest.
        public var bufferCapacity: Int = 100_000
        /// How long a write waits for another process's lock before it fails.
        public var busyTimeout: TimeSpan = .seconds(2)

        /// The daemon's defaults.
        public init() {}
    }
}
