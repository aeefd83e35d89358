import ArgumentParser
import Foundation
import TokenGateJournal

/// `tokengate history`: who spent what, from the daemon's usage journal.
struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Show recorded usage by worker, by minute or by pool, from the daemon's journal.",
        discussion: """
            Totals (requests, input, output, cache_creation, cache_read, and tokens = input + output + \
            cache_creation) since a duration ago. Reads the journal read-only, so it works while the \
            daemon runs. Minutes show in local time in the table, in UTC (ISO 8601) in CSV and JSON. \
            By pool: the pool each report counted in (reports journaled before pools were, in default).

            Examples:
              tokengate history
              tokengate history --since 15m --by minute
              tokengate history --since 2d --format csv > spend.csv
              tokengate history --since 1d --by pool
            """
    )

    /// `--by`.
    enum Grouping: String, ExpressibleByArgument, CaseIterable {
        case worker, minute, pool
    }

    /// `--format`.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, csv, json
    }

    @Option(help: ArgumentHelp("How far back: \(HistoryDuration.expected).", valueName: "duration"))
    var since: String = "1h"

    @Option(help: ArgumentHelp("Group by worker, by minute or by pool.", valueName: "worker|minute|pool"))
    var by: Grouping = .worker

    @Option(help: ArgumentHelp("table, csv or json.", valueName: "format"))
    var format: Format = .table

    @Option(
        name: .customLong("state"),
        help: ArgumentHelp(
            "The daemon's usage journal.",
            discussion: """
                Default: the config file's `state`, else the journal of the daemon on --socket: \
                $XDG_STATE_HOME/tokengate/usage.sqlite (else ~/.local/state/tokengate/usage.sqlite) for the \
                default socket, usage-<socket path>.sqlite beside it for another one.
                """,
            valueName: "path"
        )
    )
    var state: String?

    @OptionGroup var socket: SocketOption

    @OptionGroup var config: ConfigOption

    func validate() throws {
        guard HistoryDuration.milliseconds(since) != nil else {
            throw ValidationError("bad duration '\(since)' for --since: use \(HistoryDuration.expected)")
        }
    }

    func run() throws {
        let span = HistoryDuration.milliseconds(since) ?? 3_600_000
        let now = Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
        let path = try journalPath()
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

    /// `--state`, else the config file's `state`, else the journal the daemon on the socket keeps.
    private func journalPath() throws -> String {
        if let state, !state.isEmpty { return state }
        let loaded = try LoadedConfig.load(explicit: config.config)
        if let file = loaded?.file {
            if let state = file.state { return state }
            if file.noState == true, let loaded {
                throw failure("the daemon of \(loaded.path) runs with no-state: it keeps no journal to read")
            }
        }
        let socketPath = try socket.checked(LoadedConfig.socketPath(explicit: socket.socket, config: loaded))
        return JournalPath.resolve(explicit: nil, socketPath: socketPath)
    }
}
