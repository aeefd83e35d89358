import ArgumentParser
import Foundation
import TokenGateJournal

/// `tokengate history`: who spent what, from the daemon's usage journal.
struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Show recorded usage by worker or by minute, from the daemon's journal.",
        discussion: """
            Totals (requests, input, output, cache_creation, cache_read, and tokens = input + output + \
            cache_creation) since a duration ago. Reads the journal read-only, so it works while the \
            daemon runs. Minutes show in local time in the table, in UTC (ISO 8601) in CSV and JSON.

            Examples:
              tokengate history
              tokengate history --since 15m --by minute
              tokengate history --since 2d --format csv > spend.csv
            """
    )

    /// `--by`.
    enum Grouping: String, ExpressibleByArgument, CaseIterable {
        case worker, minute
    }

    /// `--format`.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, csv, json
    }

    @Option(help: ArgumentHelp("How far back: \(HistoryDuration.expected).", valueName: "duration"))
    var since: String = "1h"

    @Option(help: ArgumentHelp("Group by worker or by minute.", valueName: "worker|minute"))
    var by: Grouping = .worker

    @Option(help: ArgumentHelp("table, csv or json.", valueName: "format"))
    var format: Format = .table

    @Option(
        name: .customLong("state"),
        help: ArgumentHelp(
            "The daemon's usage journal.",
            discussion: "Default: $XDG_STATE_HOME/tokengate/usage.sqlite, else ~/.local/state/tokengate/usage.sqlite.",
            valueName: "path"
        )
    )
    var state: String?

    func validate() throws {
        guard HistoryDuration.milliseconds(since) != nil else {
            throw ValidationError("bad duration '\(since)' for --since: use \(HistoryDuration.expected)")
        }
    }

    func run() throws {
        let span = HistoryDuration.milliseconds(since) ?? 3_600_000
        let now = Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
        let path = JournalPath.resolve(explicit: state)
        let report: HistoryReport
        do {
            let history = try UsageHistory(path: path)
            report = try history.report(
                since: now - span, by: HistoryGrouping(rawValue: by.rawValue) ?? .worker
            )
        } catch {
            throw failure("\(error)")
        }
        let rendered = (HistoryFormat(rawValue: format.rawValue) ?? .table).render(report)
        FileHandle.standardOutput.write(Data(rendered.utf8))
    }
}
