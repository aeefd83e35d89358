import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A TCP proxy on 127.0.0.1 (a free port) in front of one upstream port, that a test can cut off
/// as an nftables `drop` rule on the path would, where network namespaces or nftables are not
/// available.
///
/// - ``partition()``: every connection stops forwarding in both directions (the bytes are
///   discarded, as dropped packets are; neither side is closed, so the client sees its calls time
///   out, not a reset), and new connections are accepted but never forwarded (no upstream
///   connection is made for them).
/// - ``heal()``: new connections are forwarded again. The connections stalled by the partition are
///   closed then, both sides (as a real stack resets them once its peer answers again; a client
///   that timed out had closed its side already, unseen by the upstream until now).
/// - ``stop()``: closes everything; call it however the test ends.
final class PartitionProxy: Sendable {
    private let group: MultiThreadedEventLoopGroup
    private let listener: Channel
    private let state: NIOLockedValueBox<State>
    let port: Int

    private struct State {
        var partitioned = false
        var links: [ObjectIdentifier: ProxiedLink] = [:]
        /// Connections accepted while partitioned (never forwarded).
        var acceptedWhileCut = 0
    }

    private init(group: MultiThreadedEventLoopGroup, listener: Channel, state: NIOLockedValueBox<State>) {
        self.group = group
        self.listener = listener
        self.state = state
        port = listener.localAddress?.port ?? 0
    }

    /// Starts a proxy to `127.0.0.1:upstreamPort`.
    static func start(upstreamPort: Int) throws -> PartitionProxy {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let state = NIOLockedValueBox(State())
        do {
            let listener = try ServerBootstrap(group: group)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .childChannelOption(.autoRead, value: false)
                .childChannelInitializer { client in
                    client.eventLoop.makeCompletedFuture {
                        let link = ProxiedLink(client: client)
                        let cut = state.withLockedValue { state in
                            state.links[ObjectIdentifier(link)] = link
                            if state.partitioned { state.acceptedWhileCut += 1 }
                            return state.partitioned
                        }
                        try client.pipeline.syncOperations.addHandler(ForwardHandler(link: link, side: .client))
                        if cut {
                            link.stall()
                            client.setOption(.autoRead, value: true).whenComplete { _ in client.read() }
                        } else {
                            PartitionProxy.connect(link, upstreamPort: upstreamPort, group: group)
                        }
                        client.closeFuture.whenComplete { _ in
                            if !link.isStalled { _ = state.withLockedValue { $0.links.removeValue(forKey: ObjectIdentifier(link)) } }
                        }
                    }
                }
                .bind(host: "127.0.0.1", port: 0).wait()
            return PartitionProxy(group: group, listener: listener, state: state)
        } catch {
            try? group.syncShutdownGracefully()
            throw error
        }
    }

    private static func connect(_ link: ProxiedLink, upstreamPort: Int, group: EventLoopGroup) {
        ClientBootstrap(group: group)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { upstream in
                upstream.eventLoop.makeCompletedFuture {
                    try upstream.pipeline.syncOperations.addHandler(ForwardHandler(link: link, side: .upstream))
                }
            }
            .connect(host: "127.0.0.1", port: upstreamPort)
            .whenComplete { result in
                switch result {
                case .success(let upstream):
                    link.attach(upstream)
                    link.client.setOption(.autoRead, value: true).whenComplete { _ in link.client.read() }
                case .failure:
                    link.client.close(promise: nil)
                }
            }
    }

    /// `redis://127.0.0.1:PORT`.
    var redisURL: String { "redis://127.0.0.1:\(port)" }

    /// Whether the proxy is cut off now.
    var isPartitioned: Bool { state.withLockedValue { $0.partitioned } }

    /// How many connections were accepted (and not forwarded) while partitioned.
    var connectionsAcceptedWhileCut: Int { state.withLockedValue { $0.acceptedWhileCut } }

    /// Cuts every connection, open or new, off from the upstream.
    func partition() {
        let links = state.withLockedValue { state in
            state.partitioned = true
            return Array(state.links.values)
        }
        for link in links { link.stall() }
    }

    /// Forwards new connections again; closes those the partition stalled.
    func heal() {
        let stalled = state.withLockedValue { state in
            state.partitioned = false
            let stalled = state.links.values.filter(\.isStalled)
            for link in stalled { state.links[ObjectIdentifier(link)] = nil }
            return stalled
        }
        for link in stalled { link.closeBoth() }
    }

    /// Closes every connection and the listener.
    func stop() {
        let links = state.withLockedValue { state in
            defer { state.links.removeAll() }
            return Array(state.links.values)
        }
        for link in links { link.closeBoth() }
        try? listener.close().wait()
        try? group.syncShutdownGracefully()
    }
}

/// One client connection and its upstream connection (once made).
private final class ProxiedLink: Sendable {
    enum Side { case client, upstream }

    let client: Channel
    private let state = NIOLockedValueBox<(upstream: Channel?, stalled: Bool)>((nil, false))

    init(client: Channel) {
        self.client = client
    }

    var isStalled: Bool { state.withLockedValue { $0.stalled } }

    func attach(_ upstream: Channel) {
        state.withLockedValue { $0.upstream = upstream }
    }

    func stall() {
        state.withLockedValue { $0.stalled = true }
    }

    /// Where bytes read on `side` go: nowhere while stalled.
    func peer(of side: Side) -> Channel? {
        state.withLockedValue { state in
            guard !state.stalled else { return nil }
            return side == .client ? state.upstream : client
        }
    }

    /// One side closed: the other follows, unless the link is stalled (nothing crosses a partition,
    /// not even a close).
    func closed(_ side: Side) {
        guard let other = peer(of: side) else { return }
        other.close(promise: nil)
    }

    func closeBoth() {
        client.close(promise: nil)
        state.withLockedValue { $0.upstream }?.close(promise: nil)
    }
}

private final class ForwardHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    private let link: ProxiedLink
    private let side: ProxiedLink.Side

    init(link: ProxiedLink, side: ProxiedLink.Side) {
        self.link = link
        self.side = side
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // Read even while stalled (and discard), as a dropped packet is gone: nothing backs up.
        guard let peer = link.peer(of: side) else { return }
        peer.writeAndFlush(unwrapInboundIn(data), promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        link.closed(side)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
