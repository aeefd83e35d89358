import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle
import TokenGateCore

/// The HTTP/1.1 listener behind `--metrics`, on the daemon's event loop group.
public final class MetricsServer: Service, Sendable {
    private let channel: Channel
    /// The address actually bound (with the port the system chose when 0 was asked for).
    let boundAddress: MetricsEndpoint

    private init(channel: Channel, boundAddress: MetricsEndpoint) {
        self.channel = channel
        self.boundAddress = boundAddress
    }

    /// Binds `endpoint` on `group`; every `GET /metrics` calls `exposition` for the body.
    static func start(
        endpoint: MetricsEndpoint, group: EventLoopGroup, exposition: @escaping MetricsHTTPHandler.Exposition
    ) async throws -> MetricsServer {
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 64)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(MetricsHTTPHandler(exposition: exposition))
                }
            }
        let channel = try await bootstrap.bind(host: endpoint.host, port: endpoint.port).get()
        let port = channel.localAddress?.port ?? endpoint.port
        return MetricsServer(channel: channel, boundAddress: MetricsEndpoint(host: endpoint.host, port: port))
    }

    /// Stops listening; scrapes in progress finish.
    func close() async {
        try? await channel.close()
    }

    /// Serves until the service group stops (a graceful shutdown, or a cancellation), then closes.
    public func run() async throws {
        try? await gracefulShutdown()
        await close()
    }
}
