import AsyncHTTPClient
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import ServiceLifecycle
import TokenGateServer
import TokenGateWire

/// The HTTP gateway (`serve --gateway`): agents point their base URL at it; `POST /v1/messages`
/// (or `/v1/chat/completions`) is acquired, forwarded, streamed back and reported in process
/// against the daemon's gate; every other request passes through ungated. HTTP/1.1 with
/// keep-alive on the front, pooled connections (HTTP/1.1 or HTTP/2, TLS) to the upstream.
/// Both run on one event loop of the gateway's own, apart from the gate's: the gate's loop serves
/// every socket worker, and HTTP and TLS work there would delay their admission and cap the daemon
/// at one core (measured 2026-12-01 with both on the gate's loop: `bench gateway` p99 at 64
/// streams rose from +19 ms to +36 ms added, for 3-10 % less CPU per request).
/// `run()` serves until graceful shutdown, then stops accepting and cuts open requests.
public final class GatewayService: Service, Sendable {
    private typealias Connection = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>

    private let configuration: GatewayConfiguration
    private let logger: Logger
    private let group: MultiThreadedEventLoopGroup
    private let client: HTTPClient
    private let serverChannel: NIOAsyncChannel<Connection, Never>
    private let exchange: GatewayExchange
    /// The address actually bound (port 0 picks one).
    public let boundAddress: GatewayListenAddress

    /// Binds the listener and prepares the upstream client; throws a `GatewayStartError`.
    public init(configuration: GatewayConfiguration, gate: any GatewayGate, logger: Logger) async throws {
        guard configuration.upstreamIsValid else {
            throw GatewayStartError("--upstream must be an http:// or https:// URL without credentials")
        }
        var tls = TLSConfiguration.makeClientConfiguration()
        if let caFile = configuration.upstreamCAFile {
            do {
                _ = try NIOSSLCertificate.fromPEMFile(caFile)
            } catch {
                throw GatewayStartError("--upstream-ca \(caFile): not a readable PEM certificate file (\(error))")
            }
            tls.additionalTrustRoots = [.file(caFile)]
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        var clientConfiguration = HTTPClient.Configuration(
            tlsConfiguration: tls, redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(10), read: .milliseconds(Int64((configuration.upstreamTimeoutSeconds * 1000).rounded(.up)))),
            decompression: .disabled
        )
        clientConfiguration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 512
        clientConfiguration.connectionPool.retryConnectionEstablishment = false
        // No spans: the daemon bootstraps no tracer, and a no-op span per request still costs.
        clientConfiguration.tracing.tracer = nil
        let client = HTTPClient(eventLoopGroupProvider: .shared(group), configuration: clientConfiguration)
        let channel: NIOAsyncChannel<Connection, Never>
        do {
            channel = try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 512)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .bind(host: configuration.listen.host, port: configuration.listen.port) { child in
                    child.eventLoop.makeCompletedFuture {
                        try child.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                        return try Connection(wrappingChannelSynchronously: child)
                    }
                }
        } catch {
            try? await client.shutdown()
            try? await group.shutdownGracefully()
            throw GatewayStartError("cannot listen on \(configuration.listen) for the gateway: \(error)")
        }
        let port = channel.channel.localAddress?.port ?? configuration.listen.port
        let bound = GatewayListenAddress(host: configuration.listen.host, port: port)
        let counters = GatewayCounters(listen: bound.description, upstream: configuration.upstream)
        gate.attach(status: counters)
        self.configuration = configuration
        self.logger = logger
        self.group = group
        self.client = client
        self.serverChannel = channel
        self.boundAddress = bound
        self.exchange = GatewayExchange(
            configuration: configuration, gate: gate, client: client, calibration: InputCalibration(), counters: counters,
            logger: logger
        )
        logger.notice(
            "gateway serving",
            metadata: [
                "gateway": "http://\(bound)", "upstream": "\(configuration.upstream)", "kind": "\(configuration.kind.rawValue)",
            ]
        )
    }

    /// Serves until graceful shutdown.
    public func run() async throws {
        let serverChannel = self.serverChannel
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                do {
                    try await serverChannel.executeThenClose { inbound in
                        for try await connection in inbound {
                            group.addTask { await self.serve(connection) }
                        }
                    }
                } catch {
                    self.logger.warning("gateway: accepting failed", metadata: ["reason": "\(error)"])
                }
                group.cancelAll()
            }
        } onGracefulShutdown: {
            serverChannel.channel.close(promise: nil)
        }
        try? await client.shutdown()
        try? await group.shutdownGracefully()
        logger.notice("gateway stopped")
    }

    /// One agent connection: requests one after another (keep-alive). The agent leaving cancels
    /// the request in progress, and with it the upstream request.
    private func serve(_ connection: Connection) async {
        let exchange = self.exchange
        let limit = configuration.maxRequestBodyBytes
        let serve: @Sendable () async throws -> Void = {
            try await connection.executeThenClose { inbound, outbound in
                var parts = inbound.makeAsyncIterator()
                while let part = try await parts.next() {
                    guard case .head(let head) = part else { continue }
                    if head.headers.first(name: "expect")?.lowercased() == "100-continue" {
                        try await outbound.write(.head(HTTPResponseHead(version: head.version, status: .continue)))
                    }
                    var body = ByteBuffer()
                    var tooLarge = false
                    reading: while let next = try await parts.next() {
                        switch next {
                        case .body(var chunk):
                            if tooLarge || body.readableBytes + chunk.readableBytes > limit {
                                tooLarge = true
                                body.clear()
                            } else {
                                body.writeBuffer(&chunk)
                            }
                        case .end:
                            break reading
                        case .head:
                            return
                        }
                    }
                    let keepAlive = head.isKeepAlive
                    try await exchange.serve(
                        head: head, body: body, tooLarge: tooLarge, keepAlive: keepAlive, channel: connection.channel, outbound: outbound
                    )
                    if !keepAlive { return }
                }
            }
        }
        let work: Task<Void, any Error>
        if #available(macOS 15.0, iOS 18.0, tvOS 18.0, watchOS 11.0, *) {
            work = Task(executorPreference: EventLoopTaskExecutor(eventLoop: connection.channel.eventLoop)) { try await serve() }
        } else {
            work = Task { try await serve() }
        }
        connection.channel.closeFuture.whenComplete { _ in work.cancel() }
        await withTaskCancellationHandler {
            _ = await work.result
        } onCancel: {
            work.cancel()
        }
    }
}
