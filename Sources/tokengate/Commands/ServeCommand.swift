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

    @Option(help: ArgumentHelp("Tokens per window (input + output + cache writes).", valueName: "tokens"))
    var limit: Int64 = GateConfiguration.defaultTokenLimit

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

    @Option(name: .customLong("log-level"), help: ArgumentHelp("trace, debug, info, notice, warning, error or critical.", valueName: "level"))
    var logLevel: Logger.Level = .info

    func validate() throws {
        guard window.isFinite, window > 0 else { throw ValidationError("--window must be a positive number of seconds") }
        guard lease.isFinite, lease > 0 else { throw ValidationError("--lease must be a positive number of seconds") }
    }

    func run() async throws {
        let gate: GateConfiguration
        do {
            gate = try GateConfiguration(
                tokenLimit: limit, window: .seconds(window), threshold: threshold, inputLimit: inputLimit,
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
        let configuration = ServerConfiguration(
            socketPath: socketOption.resolvedPath, gate: gate, allowGroup: allowGroup, version: TokenGateVersion.string
        )
        let server: GateServer
        do {
            server = try await GateServer(configuration: configuration, logger: logger)
        } catch let error as ServerStartError {
            throw failure(error.description)
        }
        let services = ServiceGroup(
            configuration: .init(
                services: [.init(service: server)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger
            )
        )
        try await services.run()
    }
}
