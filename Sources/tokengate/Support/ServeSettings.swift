import ArgumentParser
import Foundation
import Logging
import TokenGateConfig
import TokenGateCore
import TokenGateGateway
import TokenGateServer
import TokenGateWire

/// What `tokengate serve` runs with: each setting from the command line when given there, else
/// from the `--config` file, else the default.
struct ServeSettings {
    var socketPath: String
    var limit: LimitSetting
    var window: Double
    var threshold: Double
    var inputLimit: Int64?
    var outputLimit: Int64?
    var requestsLimit: Int64?
    var countCacheRead: Bool
    var lease: Double
    var allowGroup: String?
    /// `--no-state`, or the journal's path (nil: the default path).
    var journal: JournalChoice
    var retain: Double
    var logLevel: Logger.Level
    var metrics: MetricsEndpoint?
    var sendMargin: Double
    /// `--reserve-high`, else `reserve-high`, else 0.
    var reserveHigh: Double
    var algorithm: AccountingAlgorithm
    /// `--gateway` and its upstream; nil runs no gateway.
    var gateway: GatewaySettings?
    /// Contract v2: the declared pools (`--pool` replaces the file's `[pools.NAME]` tables).
    var pools: [PoolSpec]
    /// `--redis` with `--org` and `--host-name`; nil: this daemon holds the limit alone.
    var cluster: ClusterSettings?

    /// Whether the daemon keeps a usage journal, and where.
    enum JournalChoice: Equatable {
        case none
        case path(String?)
    }

    static let defaultWindow: Double = 60
    static let defaultThreshold: Double = 0.9
    static let defaultLease: Double = 600
    static let defaultRetain: Double = 7
    static let defaultLogLevel: Logger.Level = .info

    /// Merges the command line over the config file (`--config`, or the default file; nil when
    /// neither) over the defaults.
    init(command: ServeCommand, config: LoadedConfig?) {
        let file = config?.file ?? ServeConfigFile()
        socketPath = LoadedConfig.socketPath(explicit: command.socketOption.socket, config: config)
        limit = command.limit ?? file.limit.map(LimitSetting.init) ?? .tokens(GateConfiguration.defaultTokenLimit)
        window = command.window ?? file.window ?? Self.defaultWindow
        threshold = command.threshold ?? file.threshold ?? Self.defaultThreshold
        inputLimit = command.inputLimit ?? file.inputLimit
        outputLimit = command.outputLimit ?? file.outputLimit
        requestsLimit = command.requestsLimit ?? file.requestsLimit
        countCacheRead = command.countCacheRead || (file.countCacheRead ?? false)
        lease = command.lease ?? file.lease ?? Self.defaultLease
        allowGroup = command.allowGroup ?? file.allowGroup
        // `--state` or `--no-state` on the command line overrides either key of the file.
        if command.noState {
            journal = .none
        } else if let state = command.state {
            journal = .path(state)
        } else if file.noState == true {
            journal = .none
        } else {
            journal = .path(file.state)
        }
        retain = command.retain ?? file.retain ?? Self.defaultRetain
        logLevel = command.logLevel ?? file.logLevel ?? Self.defaultLogLevel
        metrics = command.metrics ?? file.metrics
        sendMargin = command.sendMargin ?? file.sendMargin ?? GateConfiguration.defaultSendMargin.seconds
        reserveHigh = command.reserveHigh ?? file.reserveHigh ?? 0
        algorithm = command.algorithm ?? file.algorithm ?? .slidingWindow
        if let listen = command.gateway ?? file.gateway {
            gateway = GatewaySettings(
                listen: listen, upstream: command.upstream ?? file.upstream,
                kind: command.upstreamKind ?? file.upstreamKind.flatMap(UpstreamKind.init(rawValue:)) ?? .anthropic,
                maxWait: command.gatewayMaxWait ?? file.gatewayMaxWait ?? GatewayConfiguration.defaultMaxWaitSeconds,
                upstreamTimeout: command.upstreamTimeout ?? file.upstreamTimeout
                    ?? GatewayConfiguration.defaultUpstreamTimeoutSeconds,
                upstreamCA: command.upstreamCA ?? file.upstreamCA
            )
        }
        let redis = command.redis ?? file.redis
        let org = command.org ?? file.org
        let hostName = command.hostName ?? file.hostName
        if redis != nil || org != nil || hostName != nil {
            cluster = ClusterSettings(redis: redis, org: org, hostName: hostName)
        }
        // Checked in ServeCommand.validate: a flag that does not parse never gets here.
        pools = command.pool.isEmpty ? (file.pools ?? []) : command.pool.compactMap { try? PoolSpec(flag: $0) }
    }
}

extension LimitSetting {
    /// The command line's form of a config file's `limit`.
    init(_ limit: ServeConfigFile.Limit) {
        switch limit {
        case .tokens(let tokens): self = .tokens(tokens)
        case .auto: self = .auto
        }
    }
}

/// `serve --gateway HOST:PORT [--upstream URL] [--upstream-kind K] [--gateway-max-wait S] ...`.
struct GatewaySettings {
    var listen: String
    var upstream: String?
    var kind: UpstreamKind
    var maxWait: Double
    var upstreamTimeout: Double
    var upstreamCA: String?

    /// The gateway's configuration; throws a one-line reason when the address is not one.
    func configuration() throws -> GatewayConfiguration {
        guard let address = GatewayListenAddress(parsing: listen) else {
            throw ValidationError("--gateway must be HOST:PORT, :PORT or PORT, got '\(listen)'")
        }
        let configuration = GatewayConfiguration(
            listen: address, upstream: upstream, kind: kind, maxWaitSeconds: maxWait, upstreamTimeoutSeconds: upstreamTimeout,
            upstreamCAFile: upstreamCA
        )
        guard configuration.upstreamIsValid else {
            // A URL with credentials is not echoed: they would land in logs.
            let shown = configuration.upstream.contains("@") ? "a URL with credentials" : "'\(configuration.upstream)'"
            throw ValidationError("--upstream must be an http:// or https:// URL without credentials, got \(shown)")
        }
        return configuration
    }
}
