import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import TokenGateCore
import TokenGateServer

/// `tokengate serve`: the daemon.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the daemon that holds the fleet's rate limit.",
        discussion: """
            Listens on a Unix socket (mode 0600) for workers on this machine. A worker acquires a \
            grant before each request and reports what it really cost; the daemon grants in FIFO \
            order while, for every configured budget, used + reserved + estimate stays within \
            threshold x limit over the sliding window.

            SIGTERM or SIGINT stops it: pending acquires are answered `shutting_down`, the socket \
            file is removed, and it exits 0. Logs go to stderr.

            Examples:
              tokengate serve
              tokengate serve --limit 400000 --window 60 --threshold 0.9 --output-limit 80000
              tokengate serve --socket /tmp/tg.sock --window 2 --log-level debug
            """
    )

    @OptionGroup var socketOption: SocketOption

    @Option(
        help: ArgumentHelp(
            "Tokens per window (input + output + cache writes), or `auto` to adopt the limit the provider reports.",
            valueName: "tokens|auto"
        )
    )
    var limit: LimitSetting = .tokens(GateConfiguration.defaultTokenLimit)

    @Option(help: ArgumentHelp("Window length in seconds; fractions allowed.", valueName: "seconds"))
    var window: Double = 60

    @Option(help: ArgumentHelp("Fraction of each limit that grants may fill, in (0, 1].", valueName: "fraction"))
    var threshold: Double = 0.9

    @Option(name: .customLong("input-limit"), help: ArgumentHelp("Input tokens per window (off unless given).", valueName: "n"))
    var inputLimit: Int64?

    @Option(name: .customLong("output-limit"), help: ArgumentHelp("Output tokens per window (off unless given).", valueName: "n"))
    var outputLimit: Int64?

    @Option(name: .customLong("requests-limit"), help: ArgumentHelp("Requests per window (off unless given).", valueName: "n"))
    var requestsLimit: Int64?

    @Flag(name: .customLong("count-cache-read"), help: "Count cache reads against the tokens budget.")
    var countCacheRead = false

    @Option(help: ArgumentHelp("Seconds a grant may stay unreported before it is charged at its estimate.", valueName: "seconds"))
    var lease: Double = 600

    @Option(
        name: .customLong("allow-group"),
        help: ArgumentHelp("Let members of this group acquire and report (never pause or change limits).", valueName: "group")
    )
    var allowGroup: String?

    @Flag(name: .customLong("no-state"), help: "Run without a usage journal (the window starts empty).")
    var noState = false

    @Option(
        name: .customLong("state"),
        help: ArgumentHelp(
            "The usage journal (SQLite), reloaded at start.",
            discussion: "Default: $XDG_STATE_HOME/tokengate/usage.sqlite, else ~/.local/state/tokengate/usage.sqlite.",
            valueName: "path"
        )
    )
    var state: String?

    @Option(name: .customLong("retain"), help: ArgumentHelp("Days of usage the journal keeps.", valueName: "days"))
    var retain: Double = 7

    @Option(name: .customLong("log-level"), help: ArgumentHelp("trace, debug, info, notice, warning, error or critical.", valueName: "level"))
    var logLevel: Logger.Level = .info

    func validate() throws {
        guard window.isFinite, window > 0 else { throw ValidationError("--window must be a positive number of seconds") }
        guard lease.isFinite, lease > 0 else { throw ValidationError("--lease must be a positive number of seconds") }
        if noState, state != nil { throw ValidationError("--state and --no-state exclude each other") }
        guard retain.isFinite, retain > 0 else { throw ValidationError("--retain must be a positive number of days") }
    }

    func run() async throws {
        let gate: GateConfiguration
        do {
            gate = try GateConfiguration(
                tokenLimit: limit.initialTokens, window: .seconds(window), threshold: threshold, inputLimit: inputLimit,
                outputLimit: outputLimit, requestsLimit: requestsLimit, countsCacheRead: countCacheRead,
                lease: .seconds(lease)
            )
        } catch {
            throw ValidationError(error.description)
        }
        let level = logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "tokengate")
        let journal = noState ? nil : try JournalStartup.open(path: state, retainDays: retain, window: gate.window, logger: logger)
        var configuration = ServerConfiguration(
            socketPath: socketOption.resolvedPath, gate: gate, allowGroup: allowGroup, version: TokenGateVersion.string,
            journal: journal?.journal, recovery: journal?.recovery
        )
        configuration.adoptsProviderLimit = limit == .auto
        let server: GateServer
        do {
            server = try await GateServer(configuration: configuration, logger: logger)
        } catch let error as ServerStartError {
            journal?.journal.close()
            throw failure(error.description)
        }
        let services = ServiceGroup(
            configuration: .init(
                services: [.init(service: server)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger
            )
        )
        do {
            try await services.run()
        } catch {
            journal?.journal.close()
            throw error
        }
        journal?.journal.close()
    }
}
