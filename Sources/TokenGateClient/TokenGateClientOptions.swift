import NIOCore
import NIOPosix
import TokenGateCore

/// How a ``TokenGateClient`` connects and reconnects.
public struct TokenGateClientOptions: Sendable {
    /// The event loops the client's connection runs on (one of them). Default: NIO's shared
    /// singleton group.
    public var eventLoopGroup: any EventLoopGroup
    /// Whether the client reconnects by itself after it was connected once (or while a subscription
    /// is active), re-issuing pending acquires and subscriptions. One-shot tools turn this off, so
    /// that a lost daemon fails the call at once.
    public var reconnects: Bool
    /// The waits between reconnect attempts.
    public var backoff: ReconnectBackoff
    /// How long one attempt to connect may take.
    public var connectTimeout: Duration

    /// Options; the defaults reconnect with ``ReconnectBackoff``'s defaults on NIO's singleton group.
    public init(
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, reconnects: Bool = true,
        backoff: ReconnectBackoff = ReconnectBackoff(), connectTimeout: Duration = .seconds(2)
    ) {
        self.eventLoopGroup = eventLoopGroup
        self.reconnects = reconnects
        self.backoff = backoff
        self.connectTimeout = connectTimeout
    }
}
