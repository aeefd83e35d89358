import Logging
import TokenGateCore
import TokenGateJournal
import TokenGateServer

/// Opens `tokengate serve`'s usage journal and reads what it recovers, or fails with one line.
enum JournalStartup {
    /// The open journal and what it recovered for a window of `window`.
    struct Opened {
        let journal: SQLiteJournal
        let recovery: JournalRecovery
    }

    /// Opens the journal at `path` (or the default path of the daemon on `socketPath`) keeping
    /// `retainDays` of records; another daemon holding it, an unwritable path, a locked database, a
    /// file that is not a database or a full disk throws the exit code 1 after one line on stderr.
    static func open(
        path: String?, socketPath: String, retainDays: Double, window: TimeSpan, logger: Logger
    ) throws -> Opened {
        let resolved = JournalPath.resolve(explicit: path, socketPath: socketPath)
        var options = SQLiteJournal.Options()
        options.retention = .seconds(retainDays * 86_400)
        do {
            let journal = try SQLiteJournal(path: resolved, options: options, logger: logger)
            do {
                let recovery = try journal.recover(window: window)
                logger.info("journal open", metadata: ["journal": "\(resolved)", "recovered": "\(recovery.usage.count)"])
                return Opened(journal: journal, recovery: recovery)
            } catch {
                journal.close()
                throw error
            }
        } catch let fault as JournalFault where fault.kind == .inUse {
            throw failure(fault.description)
        } catch {
            throw failure("\(error) (run with --no-state to go without a journal)")
        }
    }
}
