import GRDB
import GRDBSQLite
import TokenGateCore

/// Inserts a batch of journal events through two prepared statements, binding each column with
/// SQLite's C API: a report costs one `sqlite3_step`, with no per-row argument boxing.
struct BatchInsert {
    private let database: Database
    private let usage: Statement
    private let action: Statement
    private let grant: Statement
    private let closing: Statement

    init(_ database: Database) throws {
        self.database = database
        usage = try database.cachedStatement(
            sql: """
                INSERT INTO usage(at_ms, worker, ticket, input, output, cache_creation, cache_read, model, pool)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        )
        action = try database.cachedStatement(sql: "INSERT INTO actions(at_ms, kind, actor, detail, pool) VALUES (?, ?, ?, ?, ?)")
        grant = try database.cachedStatement(
            sql: """
                INSERT OR REPLACE INTO open_grants(ticket, at_ms, worker, tokens, input, output, requests, lease_until_ms, pool)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        )
        closing = try database.cachedStatement(sql: "DELETE FROM open_grants WHERE ticket = ?")
    }

    /// Inserts one event. Returns false when SQLite refuses this event itself (a constraint, a
    /// value too big): it is skipped rather than retried forever with its batch.
    func insert(_ event: JournalEvent) throws -> Bool {
        switch event {
        case .usage(let record):
            let handle = usage.sqliteStatement
            sqlite3_bind_int64(handle, 1, record.wallMilliseconds)
            Self.bind(handle, 2, record.worker)
            Self.bind(handle, 3, record.ticket)
            sqlite3_bind_int64(handle, 4, record.input)
            sqlite3_bind_int64(handle, 5, record.output)
            sqlite3_bind_int64(handle, 6, record.cacheCreation)
            sqlite3_bind_int64(handle, 7, record.cacheRead)
            Self.bind(handle, 8, record.model)
            Self.bind(handle, 9, record.pool)
            return try step(handle)
        case .action(let record):
            let handle = action.sqliteStatement
            sqlite3_bind_int64(handle, 1, record.wallMilliseconds)
            Self.bind(handle, 2, record.kind.rawValue)
            Self.bind(handle, 3, record.actor)
            Self.bind(handle, 4, record.detail)
            Self.bind(handle, 5, record.pool)
            return try step(handle)
        case .grant(let record):
            let handle = grant.sqliteStatement
            Self.bind(handle, 1, record.ticket)
            sqlite3_bind_int64(handle, 2, record.wallMilliseconds)
            Self.bind(handle, 3, record.worker)
            sqlite3_bind_int64(handle, 4, record.tokens)
            sqlite3_bind_int64(handle, 5, record.input)
            sqlite3_bind_int64(handle, 6, record.output)
            sqlite3_bind_int64(handle, 7, record.requests)
            sqlite3_bind_int64(handle, 8, record.leaseUntilMilliseconds)
            Self.bind(handle, 9, record.pool)
            return try step(handle)
        case .ticketClosed(let ticket):
            let handle = closing.sqliteStatement
            Self.bind(handle, 1, ticket)
            return try step(handle)
        }
    }

    private func step(_ handle: SQLiteStatement) throws -> Bool {
        let code = sqlite3_step(handle)
        sqlite3_reset(handle)
        if code == SQLITE_DONE { return true }
        let primary = code & 0xFF
        if primary == SQLITE_CONSTRAINT || primary == SQLITE_TOOBIG || primary == SQLITE_MISMATCH
            || primary == SQLITE_RANGE
        {
            return false
        }
        let message = sqlite3_errmsg(database.sqliteConnection).map { String(cString: $0) }
        throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message)
    }

    /// SQLite copies the text before `bind` returns (SQLITE_TRANSIENT).
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    private static func bind(_ handle: SQLiteStatement, _ index: Int32, _ text: String?) {
        guard var text else {
            sqlite3_bind_null(handle, index)
            return
        }
        text.withUTF8 { bytes in
            _ = bytes.withMemoryRebound(to: CChar.self) { characters in
                // An empty buffer may have no address, which SQLite would bind as NULL.
                guard let start = characters.baseAddress, !characters.isEmpty else {
                    return sqlite3_bind_text(handle, index, "", 0, transient)
                }
                return sqlite3_bind_text(handle, index, start, Int32(clamping: characters.count), transient)
            }
        }
    }
}
