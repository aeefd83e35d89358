import Foundation
import TokenGateCore
import TokenGateWire

/// How `tokengate history` prints its report.
public enum HistoryFormat: String, Sendable, CaseIterable {
    /// Aligned columns for people, with a total line; minutes in local time.
    case table
    /// A header line, then one line per row; minutes in ISO 8601 UTC.
    case csv
    /// One JSON object: `since`, `by`, `rows` (each with its `worker`, `minute` or `pool`) and
    /// `total`; minutes in ISO 8601 UTC.
    case json

    /// The report as text, ending with a newline.
    public func render(_ report: HistoryReport, timeZone: TimeZone = .current) -> String {
        switch self {
        case .table: HistoryTable.render(report, timeZone: timeZone)
        case .csv: HistoryCSV.render(report)
        case .json: HistoryJSON.render(report)
        }
    }
}

/// The column names every format shares, after the key column.
enum HistoryColumns {
    static let totals = ["requests", "input", "output", "cache_creation", "cache_read", "tokens"]

    static func values(_ totals: HistoryTotals) -> [Int64] {
        [totals.requests, totals.input, totals.output, totals.cacheCreation, totals.cacheRead, totals.tokens]
    }

    /// A minute's start as ISO 8601 UTC, `2026-11-20T14:03:00Z`.
    static func isoMinute(_ milliseconds: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
    }
}

/// `--format table`.
enum HistoryTable {
    static func render(_ report: HistoryReport, timeZone: TimeZone) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = timeZone
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        let since = formatter.string(from: Date(timeIntervalSince1970: Double(report.sinceMilliseconds) / 1000))
        guard !report.rows.isEmpty else { return "no usage recorded since \(since)\n" }
        let header = [report.grouping.rawValue.uppercased()] + HistoryColumns.totals.map { $0.uppercased() }
        var table = TextTable(header: header)
        for row in report.rows {
            let key: String
            switch row.key {
            case .worker(let name), .pool(let name): key = name
            case .minute(let start): key = formatter.string(from: Date(timeIntervalSince1970: Double(start) / 1000))
            }
            table.append([key] + HistoryColumns.values(row.totals).map(String.init))
        }
        table.append(["total"] + HistoryColumns.values(report.total).map(String.init))
        return table.render()
    }
}

/// `--format csv` (RFC 4180 quoting).
enum HistoryCSV {
    static func render(_ report: HistoryReport) -> String {
        var text = ([report.grouping.rawValue] + HistoryColumns.totals).joined(separator: ",") + "\n"
        for row in report.rows {
            let key: String
            switch row.key {
            case .worker(let name), .pool(let name): key = quoted(name)
            case .minute(let start): key = HistoryColumns.isoMinute(start)
            }
            text += ([key] + HistoryColumns.values(row.totals).map(String.init)).joined(separator: ",") + "\n"
        }
        return text
    }

    private static func quoted(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// `--format json`.
enum HistoryJSON {
    static func render(_ report: HistoryReport) -> String {
        var object = JSONObject()
        object.append("since", .string(HistoryColumns.isoMinute(report.sinceMilliseconds)))
        object.append("since_ms", .number(JSONNumber(report.sinceMilliseconds)))
        object.append("by", .string(report.grouping.rawValue))
        object.append("rows", .array(report.rows.map(row)))
        object.append("total", .object(totals(report.total)))
        return String(decoding: JSONValue.object(object).serialized(), as: UTF8.self) + "\n"
    }

    private static func row(_ row: HistoryRow) -> JSONValue {
        var object = JSONObject()
        switch row.key {
        case .worker(let name):
            object.append("worker", .string(name))
        case .pool(let name):
            object.append("pool", .string(name))
        case .minute(let start):
            object.append("minute", .string(HistoryColumns.isoMinute(start)))
            object.append("minute_ms", .number(JSONNumber(start)))
        }
        for member in totals(row.totals) { object.append(member.key, member.value) }
        return .object(object)
    }

    private static func totals(_ totals: HistoryTotals) -> JSONObject {
        var object = JSONObject()
        for (name, value) in zip(HistoryColumns.totals, HistoryColumns.values(totals)) {
            object.append(name, .number(JSONNumber(value)))
        }
        return object
    }
}
