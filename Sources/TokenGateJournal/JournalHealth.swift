import Logging
import NIOConcurrencyHelpers

/// Whether the journal is writing, and the loud-but-once logging of a failure streak: the first
/// failure of a streak logs an error, the first drop logs another, and the first success after a
/// streak says what was written and lost. Read from any thread (status); written by the writer.
final class JournalHealth: Sendable {
    private struct Streak {
        var fault: JournalFault?
        var dropBase: UInt64 = 0
        var loggedDrops = false
        var dropped: UInt64 = 0
    }

    private let streak = NIOLockedValueBox(Streak())
    private let logger: Logger
    private let path: String

    init(path: String, logger: Logger) {
        self.path = path
        self.logger = logger
    }

    /// The current fault, if any.
    var currentFault: JournalFault? { streak.withLockedValue { $0.fault } }

    /// The one-line reason the journal is degraded, with the events dropped so far in the streak.
    var degradedReason: String? {
        streak.withLockedValue { streak in
            guard let fault = streak.fault else { return nil }
            let drops = streak.dropped > 0 ? "; \(streak.dropped) events dropped" : ""
            return "\(fault.description)\(drops); limiting continues in memory"
        }
    }

    /// A write or prune failed. `buffered` events wait; `dropped` is the buffer's running total.
    func failed(_ newFault: JournalFault, buffered: Int, dropped: UInt64) {
        let (starting, changed, logDrops, inStreak) = streak.withLockedValue { streak in
            let starting = streak.fault == nil
            let changed = streak.fault?.kind != newFault.kind
            if starting {
                streak.dropBase = dropped
                streak.loggedDrops = false
            }
            streak.fault = newFault
            streak.dropped = dropped - streak.dropBase
            let logDrops = streak.dropped > 0 && !streak.loggedDrops
            if logDrops { streak.loggedDrops = true }
            return (starting, changed, logDrops, streak.dropped)
        }
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
        let lost: UInt64? = streak.withLockedValue { streak in
            guard streak.fault != nil else { return nil }
            streak.fault = nil
            streak.dropped = 0
            return dropped - streak.dropBase
        }
        guard let lost else { return }
        logger.notice(
            "journal writable again",
            metadata: ["journal": "\(path)", "written": "\(written)", "dropped": "\(lost)"]
        )
    }
}
