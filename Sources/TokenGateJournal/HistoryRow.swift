import TokenGateCore

/// How `tokengate history` groups its totals.
public enum HistoryGrouping: String, Sendable, CaseIterable {
    /// One row per worker, the largest spender first.
    case worker
    /// One row per wall-clock minute, oldest first.
    case minute
    /// One row per pool (the pool each report counted in), the largest spender first. Reports
    /// journaled before pools were count in `default`.
    case pool

    /// Whether the rows are names (worker, pool) ranked by spend, rather than minutes in order.
    var isByName: Bool { self != .minute }
}

/// What one row of `tokengate history` stands for: a worker, a minute, or a pool.
public enum HistoryKey: Sendable, Equatable {
    case worker(String)
    case pool(String)
    /// The minute's start, in Unix milliseconds.
    case minute(Int64)
}

/// Totals over a group of recorded reports.
public struct HistoryTotals: Sendable, Equatable {
    /// Reports recorded.
    public var requests: Int64
    /// Input tokens.
    public var input: Int64
    /// Output tokens.
    public var output: Int64
    /// Cache-write tokens.
    public var cacheCreation: Int64
    /// Cache-read tokens.
    public var cacheRead: Int64

    /// Totals with the given figures (zero by default).
    public init(requests: Int64 = 0, input: Int64 = 0, output: Int64 = 0, cacheCreation: Int64 = 0, cacheRead: Int64 = 0) {
        self.requests = requests
        self.input = input
        self.output = output
        self.cacheCreation = cacheCreation
        self.cacheRead = cacheRead
    }

    /// What the `tokens` budget counts: input + output + cache_creation (cache reads are not
    /// counted, as the daemon's default).
    public var tokens: Int64 { input.addingSaturating(output).addingSaturating(cacheCreation) }

    /// The sum of two totals (saturating).
    public static func + (lhs: HistoryTotals, rhs: HistoryTotals) -> HistoryTotals {
        HistoryTotals(
            requests: lhs.requests.addingSaturating(rhs.requests), input: lhs.input.addingSaturating(rhs.input),
            output: lhs.output.addingSaturating(rhs.output),
            cacheCreation: lhs.cacheCreation.addingSaturating(rhs.cacheCreation),
            cacheRead: lhs.cacheRead.addingSaturating(rhs.cacheRead)
        )
    }
}

/// One row of `tokengate history`.
public struct HistoryRow: Sendable, Equatable {
    /// The worker, minute or pool.
    public var key: HistoryKey
    /// Its totals.
    public var totals: HistoryTotals

    /// A row for `key`.
    public init(key: HistoryKey, totals: HistoryTotals) {
        self.key = key
        self.totals = totals
    }
}

/// The answer to one `tokengate history` query.
public struct HistoryReport: Sendable, Equatable {
    /// The start of the period, in Unix milliseconds.
    public var sinceMilliseconds: Int64
    /// By worker, by minute or by pool.
    public var grouping: HistoryGrouping
    /// The rows, in display order.
    public var rows: [HistoryRow]

    /// A report of `rows`.
    public init(sinceMilliseconds: Int64, grouping: HistoryGrouping, rows: [HistoryRow]) {
        self.sinceMilliseconds = sinceMilliseconds
        self.grouping = grouping
        self.rows = rows
    }

    /// The totals over every row.
    public var total: HistoryTotals { rows.reduce(HistoryTotals()) { $0 + $1.totals } }
}
