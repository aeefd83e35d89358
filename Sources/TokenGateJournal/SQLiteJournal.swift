import Dispatch
import Foundation
import Logging
import TokenGateCore

/// The daemon's durable journal: a SQLite database (through GRDB, WAL mode) of every recorded
/// usage and every operator or provider action.
///
/// `append` only puts the event in a bounded, lock-protected buffer; a background writer commits
/// the buffer in one transaction every `commitInterval` (100 ms) and prunes records older than the
/// retention once a minute. When writing fails (a full disk, a lock held too long) the journal
/// keeps the events in the buffer (dropping the oldest beyond its capacity), logs once per failure
/// streak, reports `degradedReason`, and retries until the disk comes back.
public final class SQLiteJournal: JournalSink, @unchecked Sendable {
    /// The database file.
    public let path: String
    /// Records older than this are pruned.
    public let retention: TimeSpan
    let buffer: EventBuffer
    let health: JournalHealth
    let store: JournalStore
    private let lock: JournalLock
    private let logger: Logger
    private let commitInterval: TimeSpan
    private let pruneInterval: TimeSpan
    private let retryInterval: TimeSpan
    private let queue = DispatchQueue(label: "tokengate.journal.writer")
    private let timer: DispatchSourceTimer
    // The properties below are confined to `queue`.
    private var nextPruneAt: Int64 = 0
    private var nextRetryAt: Int64 = 0
    private var isClosed = false

    /// Opens the journal at `path`, or throws a `JournalFault` whose description is one line: the
    /// daemon then refuses to start unless `--no-state`. The journal is this process's alone until
    /// `close()` (an exclusive lock on `<path>.lock`): another daemon opening it gets `.inUse`.
    public init(path: String, options: Options = Options(), logger: Logger) throws(JournalFault) {
        self.path = path
        self.retention = options.retention
        self.logger = logger
        self.commitInterval = options.commitInterval
        self.pruneInterval = options.pruneInterval
        self.retryInterval = options.retryInterval
        self.buffer = EventBuffer(capacity: options.bufferCapacity)
        self.health = JournalHealth(path: path, logger: logger)
        // One daemon per journal: the lock comes before anything in the database is touched.
        try JournalPath.prepareDirectory(for: path)
        self.lock = try JournalLock(journalPath: path)
        do {
            self.store = try JournalStore.open(path: path, busyTimeout: Double(options.busyTimeout.nanoseconds) / 1e9)
        } catch {
            lock.release()
            throw error
        }
        do {
            try store.prune(before: WallClock.milliseconds() - options.retention.milliseconds)
        } catch {
            store.close()
            lock.release()
            throw JournalFault.classify(error, path: path)
        }
        self.timer = DispatchSource.makeTimerSource(queue: queue)
        nextPruneAt = WallClock.milliseconds() + pruneInterval.milliseconds
        let interval = DispatchTimeInterval.nanoseconds(Int(clamping: commitInterval.nanoseconds))
        timer.schedule(deadline: .now() + interval, repeating: interval, leeway: .milliseconds(5))
        timer.setEventHandler { [weak self] in self?.commit(force: false) }
        timer.resume()
    }

    deinit {
        timer.cancel()
    }

    // MARK: JournalSink

    /// Buffers the event; never touches SQLite on the caller's thread.
    public func append(_ event: JournalEvent) {
        buffer.append(event)
    }

    /// Why the journal is failing, or nil while it writes.
    public var degradedReason: String? { health.degradedReason }

    /// The database file, for status.
    public var location: String? { path }

    // MARK: Recovery and shutdown

    /// The usage recorded inside the last `window` of wall-clock time, and whether the last pause
    /// or resume left the gate paused. Call it at start, before serving.
    public func recover(window: TimeSpan, now: Int64? = nil) throws(JournalFault) -> JournalRecovery {
        let nowMilliseconds = now ?? WallClock.milliseconds()
        do {
            return try store.recovery(since: nowMilliseconds - window.millisecondsRoundedUp)
        } catch {
            throw JournalFault.classify(error, path: path)
        }
    }

    /// Commits every buffered event now (retrying at once even when degraded). Returns whether
    /// the buffer is empty afterwards.
    @discardableResult
    public func flush() -> Bool {
        queue.sync { commit(force: true) }
        return buffer.count == 0
    }

    /// Flushes and closes the database; later appends are kept in memory only. Call it once the
    /// daemon stopped serving.
    public func close() {
        queue.sync {
            guard !isClosed else { return }
            commit(force: true)
            timer.cancel()
            isClosed = true
            let left = buffer.count
            if left > 0 || buffer.droppedCount > 0 {
                logger.error(
                    "journal closed with events unwritten",
                    metadata: ["journal": "\(path)", "unwritten": "\(left)", "dropped": "\(buffer.droppedCount)"]
                )
            }
            store.close()
            lock.release()
        }
    }

    // MARK: Writer

    /// One writer step, on `queue`: commit the buffer, and prune when due.
    private func commit(force: Bool) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard !isClosed else { return }
        let now = WallClock.milliseconds()
        if health.currentFault != nil, !force, now < nextRetryAt { return }
        let batch = buffer.drain()
        do {
            let refused = try store.write(batch)
            if refused > 0 {
                logger.warning("journal skipped events SQLite refused", metadata: ["journal": "\(path)", "events": "\(refused)"])
            }
            health.succeeded(written: batch.count - refused, dropped: buffer.droppedCount)
        } catch {
            buffer.requeue(batch)
            nextRetryAt = now + retryInterval.milliseconds
            health.failed(JournalFault.classify(error, path: path), buffered: buffer.count, dropped: buffer.droppedCount)
            return
        }
        if now >= nextPruneAt { prune(now: now) }
    }

    private func prune(now: Int64) {
        nextPruneAt = now + pruneInterval.milliseconds
        do {
            let deleted = try store.prune(before: now - retention.milliseconds)
            if deleted > 0 { logger.debug("journal pruned", metadata: ["rows": "\(deleted)"]) }
        } catch {
            nextRetryAt = now + retryInterval.milliseconds
            health.failed(JournalFault.classify(error, path: path), buffered: buffer.count, dropped: buffer.droppedCount)
        }
    }
}
