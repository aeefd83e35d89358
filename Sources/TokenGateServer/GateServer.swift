#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import TokenGateCore
import TokenGateWire

/// The daemon: a SwiftNIO Unix-socket server around one gate host. `run()` serves until graceful
/// shutdown (SIGTERM or SIGINT through a ServiceGroup), then answers pending acquires with
/// `shutting_down`, closes every connection and removes the socket file.
public final class GateServer: Service, Sendable {
    private let configuration: ServerConfiguration
    private let logger: Logger
    private let group: MultiThreadedEventLoopGroup
    private let host: NIOLoopBound<GateHost>
    private let serverChannel: Channel
    private let metricsServer: MetricsServer?
    /// `--redis`: the link to the organisation's shared admission.
    private let link: SharedLink?

    /// Prepares the socket path and binds it; throws a `ServerStartError` that reads as one line.
    public init(configuration: ServerConfiguration, logger: Logger) async throws {
        let access = try AccessPolicy(ownerUID: getuid(), allowGroup: configuration.allowGroup)
        try SocketFile.prepare(path: configuration.socketPath)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let host = try await loop.submit {
            NIOLoopBound(GateHost(eventLoop: loop, configuration: configuration, access: access, logger: logger), eventLoop: loop)
        }.get()
        var link: SharedLink?
        if let cluster = configuration.cluster {
            let made = SharedLink(cluster: cluster, pools: configuration.pools, host: host, logger: logger)
            try await loop.submit { host.value.attach(made) }.get()
            link = made
        }
        var metricsServer: MetricsServer?
        if let endpoint = configuration.metrics {
            do {
                metricsServer = try await Self.startMetrics(endpoint: endpoint, group: group, host: host, logger: logger)
            } catch {
                try? await group.shutdownGracefully()
                throw error
            }
        }
        let watermark = ChannelOptions.Types.WriteBufferWaterMark(low: configuration.replyBacklogLimit / 2, high: configuration.replyBacklogLimit)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 1024)
            .serverChannelInitializer { channel in
                // Out of descriptors, `accept` fails while connections wait: rest instead of spinning.
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(AcceptFailureLog(logger: logger))
                }
            }
            .childChannelOption(ChannelOptions.writeBufferWaterMark, value: watermark)
            .childChannelInitializer { channel in
                Self.initialize(channel: channel, host: host)
            }
        let previousMask = umask(0o177)
        defer { umask(previousMask) }
        do {
            self.serverChannel = try await bootstrap.bind(unixDomainSocketPath: configuration.socketPath).get()
        } catch {
            await metricsServer?.close()
            try? await group.shutdownGracefully()
            throw ServerStartError.bind(path: configuration.socketPath, reason: "\(error)")
        }
        if let group = access.allowedGroup {
            // The allowed group's members must be able to reach the socket file too.
            chown(configuration.socketPath, uid_t.max, group)
            chmod(configuration.socketPath, 0o660)
        } else {
            chmod(configuration.socketPath, 0o600)
        }
        self.configuration = configuration
        self.logger = logger
        self.group = group
        self.host = host
        self.metricsServer = metricsServer
        self.link = link
        link?.start()
        if let cluster = configuration.cluster {
            logger.notice(
                "sharing the limit through Redis",
                metadata: ["redis": "\(cluster.endpoint)", "org": "\(cluster.organisation)", "host": "\(cluster.hostName)"]
            )
        }
        logger.notice(
            "tokengate serving",
            metadata: [
                "socket": "\(configuration.socketPath)", "limit": "\(configuration.gate.limit(of: .tokens) ?? 0)",
                "window_s": "\(configuration.gate.window.seconds)", "threshold": "\(configuration.gate.threshold)",
                "version": "\(configuration.version)",
            ]
        )
    }

    /// The path the daemon listens on.
    public var socketPath: String { configuration.socketPath }

    /// The `--metrics` listener, bound already, as a service for the group to stop. It shares the
    /// daemon's event loops, so it must stop before this server does (list it after the server).
    public var metricsService: MetricsServer? { metricsServer }

    /// The gate, in process, for the HTTP gateway (`serve --gateway`).
    public var gatewayGate: any GatewayGate { GateHostGatewayAccess(host: host) }

    /// Serves until graceful shutdown is requested or `shutdown()` is called.
    public func run() async throws {
        // The service group traps SIGTERM and SIGINT before it runs its services: from here on
        // they stop the daemon gracefully (a signal before this line ends it at once).
        logger.info("ready: SIGTERM or SIGINT stops the daemon gracefully")
        try await withGracefulShutdownHandler {
            try await serverChannel.closeFuture.get()
        } onGracefulShutdown: {
            self.serverChannel.close(promise: nil)
        }
        await stopServing()
    }

    /// Stops accepting and lets `run()` finish.
    public func shutdown() {
        serverChannel.close(promise: nil)
    }

    private func stopServing() async {
        let host = self.host
        try? await serverChannel.eventLoop.submit { host.value.shutDown() }.get()
        await link?.stop()
        SocketFile.remove(path: configuration.socketPath)
        logger.notice("tokengate stopped", metadata: ["socket": "\(configuration.socketPath)"])
        try? await group.shutdownGracefully()
    }

    /// Starts the `--metrics` HTTP listener: counters hooked into the host, gauges sampled from
    /// the gate on its own event loop at each scrape.
    private static func startMetrics(
        endpoint: MetricsEndpoint, group: EventLoopGroup, host: NIOLoopBound<GateHost>, logger: Logger
    ) async throws(ServerStartError) -> MetricsServer {
        let metrics: GateMetrics
        let server: MetricsServer
        do {
            // The per-pool counters, one set per pool.
            metrics = try await host.eventLoop.submit {
                let metrics = GateMetrics(pools: host.value.pools.names)
                host.value.metrics = metrics
                return metrics
            }.get()
            server = try await MetricsServer.start(endpoint: endpoint, group: group) {
                host.eventLoop.submit { MetricsExposition.render(host.value.metricsSample(), metrics: metrics) }
            }
        } catch {
            throw .metrics(address: endpoint.description, reason: "\(error)")
        }
        logger.notice("metrics serving", metadata: ["metrics": "http://\(server.boundAddress)/metrics"])
        return server
    }

    private static func initialize(channel: Channel, host: NIOLoopBound<GateHost>) -> EventLoopFuture<Void> {
        let credentials: EventLoopFuture<PeerCredentials>
        if let provider = channel as? SocketOptionProvider {
            credentials = provider.unsafeGetSocketOption(
                level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(PeerCredentials.socketOption)
            )
        } else {
            credentials = channel.eventLoop.makeFailedFuture(ChannelError.operationUnsupported)
        }
        return credentials.flatMapThrowing { peer in
            let host = host.value
            guard host.access.mayConnect(peer) else {
                host.logger.warning("connection refused: uid not allowed", metadata: ["uid": "\(peer.uid)", "pid": "\(peer.pid)"])
                throw ConnectionRefused()
            }
            let session = host.open(channel: channel, peer: peer)
            try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineFrameDecoder()))
            try channel.pipeline.syncOperations.addHandler(ConnectionHandler(host: host, session: session))
        }
    }
}

/// A peer whose uid may not use the gate.
struct ConnectionRefused: Error {}
