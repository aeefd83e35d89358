import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import TokenGateConfig
import TokenGateCore
import TokenGateGateway
import TokenGateRedis
import TokenGateServer
import TokenGateWire

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

            --config FILE reads any of these options from a TOML file, keyed by their long names \
            (limit = 400000, input-limit = 80000, no-state = true, metrics = "127.0.0.1:9464"); an \
            option given on the command line wins over the file. --metrics serves Prometheus \
            metrics at http://HOST:PORT/metrics (loopback only unless a host is given).

            SIGTERM or SIGINT stops it: pending acquires are answered `shutting_down`, the socket \
            file is removed, and it exits 0. Logs go to stderr.

            Examples:
              tokengate serve
              tokengate serve --limit 400000 --window 60 --threshold 0.9 --output-limit 80000
              tokengate serve --socket /tmp/tg.sock --window 2 --log-level debug
              tokengate serve --config ~/.config/tokengate/serve.toml --metrics 9464
            """
    )

    @OptionGroup var socketOption: SocketOption

    @Option(
        name: .customLong("config"),
        help: ArgumentHelp(
            "A TOML file with any of these options; the command line wins over it.",
            discussion: "Default: $XDG_CONFIG_HOME/tokengate/serve.toml, else ~/.config/tokengate/serve.toml, when it exists.",
            valueName: "file"
        )
    )
    var config: String?

    @Option(
        help: ArgumentHelp(
            "Tokens per window (input + output + cache writes), or `auto` to adopt the limit the provider reports.",
            discussion: "Default: \(GateConfiguration.defaultTokenLimit).",
            valueName: "tokens|auto"
        )
    )
    var limit: LimitSetting?

    @Option(help: ArgumentHelp("Window length in seconds; fractions allowed (default 60).", valueName: "seconds"))
    var window: Double?

    @Option(help: ArgumentHelp("Fraction of each limit that grants may fill, in (0, 1] (default 0.9).", valueName: "fraction"))
    var threshold: Double?

    @Option(name: .customLong("input-limit"), help: ArgumentHelp("Input tokens per window (off unless given).", valueName: "n"))
    var inputLimit: Int64?

    @Option(name: .customLong("output-limit"), help: ArgumentHelp("Output tokens per window (off unless given).", valueName: "n"))
    var outputLimit: Int64?

    @Option(name: .customLong("requests-limit"), help: ArgumentHelp("Requests per window (off unless given).", valueName: "n"))
    var requestsLimit: Int64?

    @Flag(name: .customLong("count-cache-read"), help: "Count cache reads against the tokens budget.")
    var countCacheRead = false

    @Option(
        help: ArgumentHelp(
            "Seconds a grant may stay unreported before it is charged at its estimate (default 600).", valueName: "seconds"
        )
    )
    var lease: Double?

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

    @Option(name: .customLong("retain"), help: ArgumentHelp("Days of usage the journal keeps (default 7).", valueName: "days"))
    var retain: Double?

    @Option(
        name: .customLong("log-level"),
        help: ArgumentHelp("How much the daemon logs to stderr (default info).", valueName: "level")
    )
    var logLevel: Logger.Level?

    @Option(
        name: .customLong("metrics"),
        help: ArgumentHelp(
            "Serve Prometheus metrics at http://HOST:PORT/metrics.",
            discussion: "PORT or :PORT binds 127.0.0.1; port 0 picks a free port and logs it.",
            valueName: "host:port"
        ),
        transform: MetricsEndpoint.argument
    )
    var metrics: MetricsEndpoint?

    @Option(
        name: .customLong("send-margin"),
        help: ArgumentHelp(
            "The longest a request takes from its grant to reaching the provider, in seconds (default 1.0).",
            discussion: "A grant counts on the timeline from its grant instant until grant + window + send margin, reported or not.",
            valueName: "seconds"
        )
    )
    var sendMargin: Double?

    @Option(
        name: .customLong("reserve-high"),
        help: ArgumentHelp(
            "The share of each limit's capacity that only high-priority grants may fill (default 0).",
            discussion: "A fraction from 0 up to but not including 1, in every pool and budget: normal and low acquires fit only within (1 - FRACTION) x threshold x limit.",
            valueName: "fraction"
        )
    )
    var reserveHigh: Double?

    @Option(
        help: ArgumentHelp(
            "How the provider's limit is modelled: sliding-window (default) or token-bucket.",
            discussion: "token-bucket: capacity = threshold x limit, refilled continuously at that much per window, as Anthropic and OpenAI document their limits.",
            valueName: "name"
        )
    )
    var algorithm: AccountingAlgorithm?

    @Option(
        name: .customLong("pool"),
        help: ArgumentHelp(
            "A pool with its own limit for a model class (repeatable).",
            discussion: "NAME:models=GLOB|GLOB,limit=N[,input-limit=N][,output-limit=N][,requests-limit=N][,threshold=F]. Models are matched in declaration order; the top-level limits form the pool default, which takes every other model. Given here, --pool replaces the config file's [pools.NAME] tables.",
            valueName: "spec"
        )
    )
    var pool: [String] = []

    @Option(
        help: ArgumentHelp(
            "Serve the HTTP gateway for unmodified agents at HOST:PORT (PORT or :PORT binds 127.0.0.1).",
            discussion: "Agents set ANTHROPIC_BASE_URL=http://HOST:PORT/w/NAME (or OPENAI_BASE_URL=http://HOST:PORT/w/NAME/v1): gated requests are acquired, forwarded, reported and observed in the daemon.",
            valueName: "host:port"
        )
    )
    var gateway: String?

    @Option(
        help: ArgumentHelp(
            "The provider the gateway forwards to (default https://api.anthropic.com, or https://api.openai.com for openai).",
            valueName: "url"
        )
    )
    var upstream: String?

    @Option(
        name: .customLong("upstream-kind"),
        help: ArgumentHelp("The upstream's API: anthropic (default) or openai.", valueName: "kind")
    )
    var upstreamKind: UpstreamKind?

    @Option(
        name: .customLong("gateway-max-wait"),
        help: ArgumentHelp(
            "Seconds a gated request may wait for its grant before it is answered 429 (default 600).", valueName: "seconds"
        )
    )
    var gatewayMaxWait: Double?

    @Option(
        name: .customLong("upstream-timeout"),
        help: ArgumentHelp(
            "Seconds the upstream may stay silent before a request is answered 504 or cut (default 600).", valueName: "seconds"
        )
    )
    var upstreamTimeout: Double?

    @Option(
        name: .customLong("upstream-ca"),
        help: ArgumentHelp("A PEM file of certificate authorities to trust for a TLS upstream.", valueName: "file")
    )
    var upstreamCA: String?

    @Option(
        help: ArgumentHelp(
            "Share every pool's limit with the daemons of other hosts through this Redis (7 or later).",
            discussion: "redis://HOST:PORT[/DB] or unix:///PATH. Daemons with the same Redis and --org hold one limit together.",
            valueName: "url"
        )
    )
    var redis: String?

    @Option(help: ArgumentHelp("The organisation whose limit the daemons on one Redis share (default `default`; needs --redis).", valueName: "name"))
    var org: String?

    @Option(
        name: .customLong("host-name"),
        help: ArgumentHelp("This daemon's name among the organisation's hosts (default: the machine's host name; needs --redis).", valueName: "name")
    )
    var hostName: String?

    func validate() throws {
        if let gatewayMaxWait { try Self.requirePositive(gatewayMaxWait, "--gateway-max-wait", unit: "seconds") }
        if let upstreamTimeout { try Self.requirePositive(upstreamTimeout, "--upstream-timeout", unit: "seconds") }
        for spec in pool {
            do { _ = try PoolSpec(flag: spec) } catch { throw ValidationError(error.description) }
        }
        if let reserveHigh, !(reserveHigh.isFinite && reserveHigh >= 0 && reserveHigh < 1) {
            throw ValidationError("--reserve-high must be a fraction from 0 up to but not including 1 (got \(reserveHigh)), e.g. --reserve-high 0.2")
        }
        if let sendMargin, !(sendMargin.isFinite && sendMargin >= 0) {
            throw ValidationError("--send-margin must be a number of seconds from 0 up")
        }
        if let window { try Self.requirePositive(window, "--window", unit: "seconds") }
        if let lease { try Self.requirePositive(lease, "--lease", unit: "seconds") }
        if noState, state != nil { throw ValidationError("--state and --no-state exclude each other") }
        if let retain { try Self.requirePositive(retain, "--retain", unit: "days") }
    }

    private static func requirePositive(_ value: Double, _ flag: String, unit: String) throws {
        guard value.isFinite, value > 0 else { throw ValidationError("\(flag) must be a positive number of \(unit)") }
    }

    func run() async throws {
        // --config FILE, else the default config file when there is one.
        let loaded = try LoadedConfig.load(explicit: config)
        let settings = ServeSettings(command: self, config: loaded)
        if settings.socketPath.utf8.count > SocketPath.maximumLength {
            throw failure("socket path is longer than \(SocketPath.maximumLength) bytes: \(settings.socketPath)", code: .usage)
        }
        let gate: GateConfiguration
        do {
            gate = try GateConfiguration(
                tokenLimit: settings.limit.initialTokens, window: .seconds(settings.window), threshold: settings.threshold,
                inputLimit: settings.inputLimit, outputLimit: settings.outputLimit, requestsLimit: settings.requestsLimit,
                countsCacheRead: settings.countCacheRead, lease: .seconds(settings.lease),
                sendMargin: .seconds(settings.sendMargin), algorithm: settings.algorithm, highReserve: settings.reserveHigh
            )
        } catch {
            throw ValidationError(error.description)
        }
        let pools: PoolSet
        do {
            pools = try PoolSpec.poolSet(settings.pools, daemon: gate)
        } catch {
            throw failure(error.description, code: .usage)
        }
        let cluster = try settings.cluster.map { try $0.configuration() }
        if cluster != nil, settings.algorithm != .slidingWindow {
            throw ValidationError(
                "--algorithm \(settings.algorithm.rawValue) is not shared through Redis yet (the shared window is a sliding window): leave --algorithm out with --redis"
            )
        }
        if cluster != nil, settings.reserveHigh > 0 {
            throw ValidationError("--reserve-high is not shared through Redis yet (the shared queue has no priorities): leave it out with --redis")
        }
        if cluster != nil, let name = pools.names.first(where: { !SharedAdmission.isValidName($0) }) {
            throw ValidationError("pool '\(name)' cannot be shared through Redis: name it with 1 to 200 bytes without '|', ':' or spaces")
        }
        let level = settings.logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "tokengate")
        if let loaded { logger.info("configuration read", metadata: ["config": "\(loaded.path)"]) }
        // The socket first: a daemon refused because another one listens there opens nothing.
        do {
            try GateServer.prepareSocket(path: settings.socketPath)
        } catch {
            throw failure(error.description)
        }
        let journal: JournalStartup.Opened?
        switch settings.journal {
        case .none: journal = nil
        case .path(let path):
            journal = try JournalStartup.open(
                path: path, socketPath: settings.socketPath, retainDays: settings.retain, window: gate.window, logger: logger
            )
        }
        // Its service closes it when the group stops; this closes it when the daemon fails to start
        // (closing twice is harmless).
        defer { journal?.journal.close() }
        var configuration = ServerConfiguration(
            socketPath: settings.socketPath, gate: gate, allowGroup: settings.allowGroup, version: TokenGateVersion.string,
            journal: journal?.journal, recovery: journal?.recovery
        )
        configuration.pools = pools
        configuration.adoptsProviderLimit = settings.limit == .auto
        configuration.metrics = settings.metrics
        configuration.cluster = cluster
        let server: GateServer
        do {
            server = try await GateServer(configuration: configuration, logger: logger)
        } catch let error as ServerStartError {
            throw failure(error.description)
        }
        // The group stops its services in reverse order: the gateway, the metrics listener (on the
        // server's event loops), the server (pending acquires answered), last the journal.
        var serviceList: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let journal { serviceList.append(.init(service: JournalService(journal: journal.journal))) }
        serviceList.append(.init(service: server))
        if let metrics = server.metricsService { serviceList.append(.init(service: metrics)) }
        if let gatewaySettings = settings.gateway {
            do {
                let gateway = try await GatewayService(
                    configuration: try gatewaySettings.configuration(), gate: server.gatewayGate, logger: logger
                )
                serviceList.append(.init(service: gateway))
            } catch {
                server.shutdown()
                try? await server.run()
                if let error = error as? ValidationError { throw error }
                throw failure("\(error)")
            }
        }
        let services = ServiceGroup(
            configuration: .init(services: serviceList, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        )
        try await services.run()
    }
}
