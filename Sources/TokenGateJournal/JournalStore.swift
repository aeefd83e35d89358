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
    /// resume and the last limit change of each pool (and of every pool), so that a restart keeps
    /// them however old they are. Returns the rows deleted.
    @discardableResult
    func prune(before cutoff: Int64) throws -> Int {
        try database.write { db in
            try db.execute(sql: "DELETE FROM usage WHERE at_ms < ?", arguments: [cutoff])
            var deleted = db.changesCount
            try db.execute(
                sql: """
                    DELETE FROM actions WHERE at_ms < ? AND id NOT IN (
                        SELECT id FROM (\(Self.lastControls)) WHERE rank = 1
                        UNION ALL SELECT id FROM (\(Self.lastLimits)) WHERE rank = 1)
                    AND kind NOT IN \(Self.workerControlKinds)
                    """,
                arguments: [cutoff]
            )
            deleted += db.changesCount
            try db.execute(sql: Self.pruneWorkerControls, arguments: [cutoff])
            deleted += db.changesCount
            try db.execute(sql: "DELETE FROM open_grants WHERE at_ms < ?", arguments: [cutoff])
            deleted += db.changesCount
            return deleted
        }
    }

    /// Pauses and resumes ranked per pool, the latest 1 (NULL: those of every pool).
    static let lastControls = """
        SELECT id, pool, kind, at_ms,
               ROW_NUMBER() OVER (PARTITION BY pool ORDER BY at_ms DESC, id DESC) AS rank
        FROM actions WHERE kind IN ('pause', 'resume')
        """

    /// Limit changes ranked per pool, the latest 1 (NULL and `default` are both `default`).
    static let lastLimits = """
        SELECT id, COALESCE(pool, 'default') AS pool, detail,
               ROW_NUMBER() OVER (PARTITION BY COALESCE(pool, 'default') ORDER BY at_ms DESC, id DESC) AS rank
        FROM actions WHERE kind = 'limit'
        """

    /// The usage recorded at or after `since` (Unix milliseconds), oldest first, whether the last
    /// pause or resume left each pool paused, and each pool's last limit change.
    func recovery(since: Int64) throws -> JournalRecovery {
        try database.read { db in
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT at_ms, worker, ticket, input, output, cache_creation, cache_read, model, pool
                    FROM usage WHERE at_ms >= ? ORDER BY at_ms, id
                    """,
                arguments: [since]
            )
            var usage: [JournalUsage] = []
            while let row = try rows.next() {
                usage.append(JournalUsage(
                    wallMilliseconds: row[0], worker: row[1], ticket: row[2], input: row[3], output: row[4],
                    cacheCreation: row[5], cacheRead: row[6], model: row[7], pool: row[8]
                ))
            }
            let controls = try Self.controlStates(db)
            var limitChanges: [String: JournalLimitChange] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT pool, detail FROM (\(Self.lastLimits)) WHERE rank = 1") {
                let detail: String = row[1]
                if let change = JournalLimitChange(detail: detail) { limitChanges[row[0]] = change }
            }
            let grants = try Row.fetchCursor(
                db,
                sql: """
                    SELECT at_ms, ticket, worker, tokens, input, output, requests, lease_until_ms, pool
                    FROM open_grants WHERE at_ms >= ? ORDER BY at_ms
                    """,
                arguments: [since]
            )
            var openGrants: [JournalGrant] = []
            while let row = try grants.next() {
                openGrants.append(JournalGrant(
                    wallMilliseconds: row[0], ticket: row[1], worker: row[2], tokens: row[3], input: row[4],
                    output: row[5], requests: row[6], leaseUntilMilliseconds: row[7], pool: row[8]
                ))
            }
            let defaultLimit = limitChanges.removeValue(forKey: PoolSet.defaultName)
            return JournalRecovery(
                usage: usage, paused: controls.everyPool, openGrants: openGrants, limitChange: defaultLimit,
                poolPauses: controls.byPool, poolLimitChanges: limitChanges,
                workerControls: try workerControls(db)
            )
        }
    }

    /// Whether the last pause or resume of every pool was a pause, and, by pool, whether that
    /// pool's own last one, when it came after, was.
    private static func controlStates(_ db: Database) throws -> (everyPool: Bool, byPool: [String: Bool]) {
        let pause = JournalAction.Kind.pause.rawValue
        var everyPool = false
        var everyPoolAt: (Int64, Int64)?
        var own: [(pool: String, paused: Bool, at: (Int64, Int64))] = []
        for row in try Row.fetchAll(db, sql: "SELECT pool, kind, at_ms, id FROM (\(lastControls)) WHERE rank = 1") {
            let pool: String? = row[0]
            let kind: String = row[1]
            let at: (Int64, Int64) = (row[2], row[3])
            if let pool {
                own.append((pool, kind == pause, at))
            } else {
                everyPool = kind == pause
                everyPoolAt = at
            }
        }
        var byPool: [String: Bool] = [:]
        for control in own where everyPoolAt.map({ control.at > $0 }) ?? true { byPool[control.pool] = control.paused }
        return (everyPool, byPool)
    }

    /// The action kinds of one worker's controls, as an SQL list.
    static let workerControlKinds = "('worker_pause', 'worker_resume', 'worker_cap')"

    /// The worker a control action names, in SQL: its detail up to the first space (`worker=NAME`).
    private static let controlledWorker = "substr(detail, 1, instr(detail || ' ', ' ') - 1)"

    /// Deletes worker controls older than the cutoff except each worker's last pause or resume and
    /// last cap, which a restart needs however old they are.
    static let pruneWorkerControls = """
        DELETE FROM actions WHERE at_ms < ? AND kind IN \(workerControlKinds)
        AND id NOT IN (SELECT MAX(id) FROM actions WHERE kind IN ('worker_pause', 'worker_resume') GROUP BY \(controlledWorker))
        AND id NOT IN (SELECT MAX(id) FROM actions WHERE kind = 'worker_cap' GROUP BY \(controlledWorker))
        """

    /// Every worker's controls, replayed from its actions in the order they were taken; workers
    /// left resumed and uncapped are not listed.
    private func workerControls(_ db: Database) throws -> [String: JournalWorkerControl] {
        let rows = try Row.fetchCursor(
            db, sql: "SELECT kind, detail FROM actions WHERE kind IN \(Self.workerControlKinds) ORDER BY id"
        )
        var controls: [String: JournalWorkerControl] = [:]
        while let row = try rows.next() {
            let detail: String = row[1]
            guard let kind = JournalAction.Kind(rawValue: row[0]), let worker = JournalWorkerControl.worker(inDetail: detail)
            else { continue }
            controls[worker, default: JournalWorkerControl()].apply(kind, detail: detail)
        }
        return controls.filter { !$0.value.isEmpty }
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
