import TokenGateCore

/// How a ``RedisClient`` reaches Redis and waits for it.
public struct RedisClientOptions: Sendable {
    public var endpoint: RedisEndpoint
    /// The wait between attempts to reconnect (the same policy as the Swift client's to its daemon).
    public var backoff: ReconnectBackoff
    public var connectTimeout: Duration
    /// How long a command may wait for its reply before the connection is dropped.
    public var commandTimeout: Duration
    public var limits: RESPLimits
    /// Libraries loaded on every connection before it is used.
    public var libraries: [RedisFunctionLibrary]

    public init(
        endpoint: RedisEndpoint, backoff: ReconnectBackoff = ReconnectBackoff(), connectTimeout: Duration = .seconds(1),
        commandTimeout: Duration = .seconds(1), limits: RESPLimits = RESPLimits(), libraries: [RedisFunctionLibrary] = []
    ) {
        self.endpoint = endpoint
        self.backoff = backoff
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
        self.limits = limits
        self.libraries = libraries
    }
}
