import Foundation
import GRDB
import TokenGateCore

/// The journal's database connection: opening and checking it, writing batches, pruning, and
/// reading the recovery. Not tied to a thread; `SQLiteJournal` calls it from its writer queue.
struct JournalStore: Sendable {
    let path: String
    let database: DatabaseQueue

    /// Opens (creating when missing) the journal at `path` in WAL mode, applies the schema, and
    /// proves it can write: an unwritable path, a locked database, a file that is not a database
    /// or a full disk throws a `JournalFault` here rather than later.
    static func open(path: String, busyTimeout: TimeInterval) throws(JournalFault) -> JournalStore {
        try JournalPath.prepareDirectory(for: path)
        try checkFile(at: path)
        var configuration = Configuration()
        configuration.journalMode = .wal
        configuration.busyMode = .timeout(busyTimeout)
        configuration.label = "tokengate.journal"
        configuration.prepareDatabase { db in
            // WAL with synchronous=NORMAL: a commit survives the process being killed; only a
            // power loss can take the last commits.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        do {
            let database = try DatabaseQueue(path: path, configuration: configuration)
            try JournalSchema.migrator.migrate(database)
            try database.write { db in
                try db.execute(
                    sql: "INSERT OR REPLACE INTO journal_info(key, value) VALUES ('opened_at_ms', ?)",
                    arguments: [WallClock.milliseconds()]
                )
            }
            return JournalStore(path: path, database: database)
        } catch {
            throw JournalFault.classify(error, path: path)
        }
    }

    /// Refuses what is not a regular file, and creates a missing file with mode 0600 (SQLite gives
    /// its -wal and -shm files the same mode).
    private static func checkFile(at path: String) throws(JournalFault) {
        var status = stat()
        if stat(path, &status) == 0 {
            guard status.st_mode & S_IFMT == S_IFREG else {
                throw JournalFault(kind: .unwritable, description: "journal \(path) is not a regular file")
            }
            return
        }
        let descriptor = Foundation.open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw JournalFault.system("create journal", path: path, errno: errno) }
        Foundation.close(descriptor)
    }

    /// Writes `events` in one transaction. Returns how many SQLite refused one by one (skipped).
    @discardableResult
    func write(_ events: [JournalEvent]) throws -> Int {
        guard !events.isEmpty else { return 0 }
        let shortLived = Self.ticketsOpenedAndClosed(in: events)
        return try database.write { db in
            let insert = try BatchInsert(db)
            var refused = 0
            for event in events {
                if !shortLived.isEmpty {
                    if case .grant(let grant) = event, shortLived.contains(grant.ticket) { continue }
                    if case .ticketClosed(let ticket) = event, shortLived.contains(ticket) { continue }
                }
                if try !insert.insert(event) { refused += 1 }
            }
            return refused
        }
    }

    /// The tickets both granted and closed within one batch: neither needs writing (most round
    /// trips end well within a batch, so grants cost the journal almost nothing).
    static func ticketsOpenedAndClosed(in events: [JournalEvent]) -> Set<String> {
        var granted: Set<String> = []
        var both: Set<String> = []
        for event in events {
            switch event {
            case .grant(let grant): granted.insert(grant.ticket)
            case .ticketClosed(let ticket) where granted.contains(ticket): both.insert(ticket)
            default: continue
            }
        }
        return both
    }

    /// Deletes usage and actions older than `cutoff` (Unix milliseconds), keeping the last pause or
    /// resume and the last limit change, so that a restart keeps them however old they are.
    /// Returns the rows deleted.
    @discardableResult
    func prune(before cutoff: Int64) throws -> Int {
        try database.write { db in
            try db.execute(sql: "DELETE FROM usage WHERE at_ms < ?", arguments: [cutoff])
            var deleted = db.changesCount
            try db.execute(
                sql: """
                    DELETE FROM actions WHERE at_ms < ? AND id IS NOT (
                        SELECT id FROM actions WHERE kind IN ('pause', 'resume') ORDER BY at_ms DESC, id DESC LIMIT 1)
                    AND id IS NOT (SELECT id FROM actions WHERE kind = 'limit' ORDER BY at_ms DESC, id DESC LIMIT 1)
                    """,
                arguments: [cutoff]
            )
            deleted += db.changesCount
            try db.execute(sql: "DELETE FROM open_grants WHERE at_ms < ?", arguments: [cutoff])
            deleted += db.changesCount
            return deleted
        }
    }

    /// The usage recorded at or after `since` (Unix milliseconds), oldest first, whether the last
    /// pause or resume left the gate paused, and the last limit change.
    func recovery(since: Int64) throws -> JournalRecovery {
        try database.read { db in
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT at_ms, worker, ticket, input, output, cache_creation, cache_read, model
                    FROM usage WHERE at_ms >= ? ORDER BY at_ms, id
                    """,
                arguments: [since]
            )
            var usage: [JournalUsage] = []
            while let row = try rows.next() {
                usage.append(JournalUsage(
                    wallMilliseconds: row[0], worker: row[1], ticket: row[2], input: row[3], output: row[4],
                    cacheCreation: row[5], cacheRead: row[6], model: row[7]
                ))
            }
            let lastControl = try String.fetchOne(
                db,
                sql: "SELECT kind FROM actions WHERE kind IN ('pause', 'resume') ORDER BY at_ms DESC, id DESC LIMIT 1"
            )
            let lastLimit = try String.fetchOne(
                db, sql: "SELECT detail FROM actions WHERE kind = 'limit' ORDER BY at_ms DESC, id DESC LIMIT 1"
            )
            let grants = try Row.fetchCursor(
                db,
                sql: """
                    SELECT at_ms, ticket, worker, tokens, input, output, requests, lease_until_ms
                    FROM open_grants WHERE at_ms >= ? ORDER BY at_ms
                    """,
                arguments: [since]
            )
            var openGrants: [JournalGrant] = []
            while let row = try grants.next() {
                openGrants.append(JournalGrant(
                    wallMilliseconds: row[0], ticket: row[1], worker: row[2], tokens: row[3], input: row[4],
                    output: row[5], requests: row[6], leaseUntilMilliseconds: row[7]
                ))
            }
            return JournalRecovery(
                usage: usage, paused: lastControl == JournalAction.Kind.pause.rawValue, openGrants: openGrants,
                limitChange: lastLimit.flatMap(JournalLimitChange.init(detail:))
            )
        }
    }

    /// Runs `body` on the connection (tests use it to set pragmas such as `max_page_count`).
    func withConnection<T>(_ body: (Database) throws -> T) throws -> T {
        try database.writeWithoutTransaction(body)
    }

    /// Closes the connection.
    func close() {
        try? database.close()
    }
}
