import Foundation
import Logging

/// Whether the journal is writing, and the loud-but-once logging of a failure streak: the first
/// failure of a streak logs an error, the first drop logs another, and the first success after a
/// streak says what was written and lost. Read from any thread (status); written by the writer.
final class JournalHealth: @unchecked Sendable {
    // Every stored property below is guarded by `lock`.
    private let lock = NSLock()
    private var fault: JournalFault?
    private var streakDropBase: UInt64 = 0
    private var loggedDrops = false
    private var droppedInStreak: UInt64 = 0
    private let logger: Logger
    private let path: String

    init(path: String, logger: Logger) {
        self.path = path
        self.logger = logger
    }

    /// The current fault, if any.
    var currentFault: JournalFault? {
        lock.lock()
        defer { lock.unlock() }
        return fault
    }

    /// The one-line reason the journal is degraded, with the events dropped so far in the streak.
    var degradedReason: String? {
        lock.lock()
        defer { lock.unlock() }
        guard let fault else { return nil }
        let drops = droppedInStreak > 0 ? "; \(droppedInStreak) events dropped" : ""
        return "\(fault.description)\(drops); limiting continues in memory"
    }

    /// A write or prune failed. `buffered` events wait; `dropped` is the buffer's running total.
    func failed(_ newFault: JournalFault, buffered: Int, dropped: UInt64) {
        lock.lock()
        let starting = fault == nil
        let changed = fault?.kind != newFault.kind
        if starting {
            streakDropBase = dropped
            loggedDrops = false
        }
        fault = newFault
        droppedInStreak = dropped - streakDropBase
        let logDrops = droppedInStreak > 0 && !loggedDrops
        if logDrops { loggedDrops = true }
        let inStreak = droppedInStreak
        lock.unlock()
        if starting || changed {
            logger.error(
                "journal write failed; limiting continues in memory, retrying",
                metadata: ["journal": "\(path)", "error": "\(newFault.description)", "buffered": "\(buffered)"]
            )
        }
        if logDrops {
            logger.error(
                "journal buffer full; dropping the oldest unwritten events",
                metadata: ["journal": "\(path)", "dropped": "\(inStreak)"]
            )
        }
    }

    /// A write succeeded: ends a failure streak, saying so.
    func succeeded(written: Int, dropped: UInt64) {
        lock.lock()
        guard fault != nil else {
            lock.unlock()
            return
        }
        fault = nil
        let lost = dropped - streakDropBase
        droppedInStreak = 0
        lock.unlock()
        logger.notice(
            "journal writable again",
            metadata: ["journal": "\(path)", "written": "\(written)", "dropped": "\(lost)"]
        )
    }
}
