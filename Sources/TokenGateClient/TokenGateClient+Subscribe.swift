import TokenGateWire

extension TokenGateClient {
    /// Status snapshots pushed by the daemon every `intervalMs` and at once on every state change,
    /// with the connection's ups and downs in between (see ``SubscriptionEvent``).
    ///
    /// The stream connects when needed and survives daemon restarts: while the daemon is away it
    /// carries `.disconnected(reason:)` and the client keeps retrying (even when it never connected
    /// yet), then `.connected` and snapshots again. It keeps the client alive while it runs. It
    /// finishes when the client is closed, and throws when the daemon refuses the subscription (an
    /// interval under 50 ms is `bad_request`).
    ///
    /// The protocol sends snapshot events without saying which `subscribe` they belong to, so every
    /// subscriber of one client gets every snapshot of its connection; the daemon is asked for the
    /// shortest interval among them after a reconnect. Old snapshots are dropped when the consumer
    /// falls behind (the 64 newest events are kept).
    ///
    /// - Parameters:
    ///   - intervalMs: the snapshot interval, at least 50 (the daemon's default is 250).
    ///   - history: ask that the first snapshot of each connection carry `Status.history`, the
    ///     window's fill per second over the last window (a daemon that predates it ignores this).
    public func subscribe(intervalMs: Int64 = WireLimits.defaultSubscribeIntervalMs, history: Bool = false)
        -> AsyncThrowingStream<SubscriptionEvent, any Error>
    {
        core.subscribe(intervalMs: intervalMs, history: history, owner: self)
    }
}
