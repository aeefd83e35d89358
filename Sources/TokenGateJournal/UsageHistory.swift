import Foundation
import GRDB

/// Reads a journal for `tokengate history`: read-only, so it works beside a running daemon (WAL
/// readers never wait for the writer).
public struct UsageHistory: Sendable {
    /// The database file.
    public let path: String
    private let database: DatabaseQueue

    /// Opens the journal at `path` read-only; throws a one-line `JournalFault` when there is no
    /// journal there or it cannot be read.
    public init(path: String) throws(JournalFault) {
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw JournalFault(
                kind: .missing,
                description: "no journal at \(path) (the daemon writes one unless --no-state; pass --state PATH)"
            )
        }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw JournalFault(kind: .other, description: "journal \(path) is not a regular file")
        }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(2)
        configuration.label = "tokengate.history"
        do {
            let database = try DatabaseQueue(path: path, configuration: configuration)
            let hasTable = try database.read { db in try db.tableExists("usage") }
            guard hasTable else {
                throw JournalFault(kind: .other, description: "\(path) is a SQLite database but not a tokengate journal")
            }
            self.database = database
        } catch {
            throw JournalFault.classify(error, path: path)
        }
        self.path = path
    }

    /// Totals since `since` (Unix milliseconds), grouped as asked.
    public func report(since: Int64, by grouping: HistoryGrouping) throws(JournalFault) -> HistoryReport {
        let order = grouping.isByName ? "tokens DESC, key" : "key"
        do {
            let rows = try database.read { db in
                let sql = """
                    SELECT \(try Self.keyExpression(grouping, db)) AS key, COUNT(*), SUM(input), SUM(output),
                           SUM(cache_creation), SUM(cache_read), SUM(input) + SUM(output) + SUM(cache_creation) AS tokens
                    FROM usage WHERE at_ms >= ? GROUP BY key ORDER BY \(order)
                    """
                return try Row.fetchAll(db, sql: sql, arguments: [since]).map { row in
                    let key: HistoryKey
                    switch grouping {
                    case .worker: key = .worker(row[0])
                    case .minute: key = .minute(row[0])
                    case .pool: key = .pool(row[0])
                    }
                    return HistoryRow(
                        key: key,
                        totals: HistoryTotals(
                            requests: row[1], input: row[2], output: row[3], cacheCreation: row[4], cacheRead: row[5]
                        )
                    )
                }
            }
            return HistoryReport(sinceMilliseconds: since, grouping: grouping, rows: rows)
        } catch {
            throw JournalFault.classify(error, path: path)
        }
    }

    /// What a row is grouped by. A journal from before pools were journaled has no `pool`
    /// column: every report there counted in `default`.
    private static func keyExpression(_ grouping: HistoryGrouping, _ db: Database) throws -> String {
        switch grouping {
        case .worker: return "worker"
        case .minute: return "(at_ms / 60000) * 60000"
        case .pool:
            let hasPool = try db.columns(in: "usage").contains { $0.name == "pool" }
            return hasPool ? "COALESCE(pool, 'default')" : "'default'"
        }
    }
}
