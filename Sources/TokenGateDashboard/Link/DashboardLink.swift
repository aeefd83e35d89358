import TokenGateWire

/// What the dashboard hears from its link to a daemon.
public enum DashboardLinkEvent: Sendable, Equatable {
    /// The link reached the daemon (first time or after a reconnect); snapshots follow.
    case connected
    /// A status snapshot (from `subscribe`: every interval and on every state change).
    case snapshot(Status)
    /// The link lost the daemon, or could not reach it, and keeps retrying by itself.
    case disconnected(reason: String)
}

/// The dashboard's only way to a daemon: a stream of connection events and the controls.
///
/// `tokengate top` implements it over the socket with TokenGateClient (`subscribe` with the chosen
/// interval, reconnecting with backoff, `pause`, `resume`, `set_limit`); `tokengate demo` does the same
/// on its in-process daemon's socket; tests and previews use ``PreviewLink``.
public protocol DashboardLink: Sendable {
    /// Connection events: `.connected`, then `.snapshot`s, `.disconnected(reason:)` whenever the
    /// daemon goes away (reconnecting is the link's job; send `.connected` again once it is back).
    /// Called once per dashboard run; the dashboard stops iterating (cancels) when it quits, and the
    /// link should then release what the stream holds (use `onTermination`).
    func events() -> AsyncStream<DashboardLinkEvent>
    /// Asks the daemon to stop granting (`pause`) in pool `pool`, or in every pool when `nil`.
    func pause(pool: String?) async throws
    /// Asks the daemon to grant again (`resume`) in pool `pool`, or in every pool when `nil`.
    func resume(pool: String?) async throws
    /// Sets the `tokens` budget's limit per window (`set_limit` with `limit`) of pool `pool`, or of
    /// the pool `default` when `nil`.
    func setLimit(_ limit: Int64, pool: String?) async throws
    /// Contract v2: passes over `worker`'s queued acquires (`pause` with `worker`).
    func pause(worker: String) async throws
    /// Contract v2: lets `worker`'s queued acquires go again (`resume` with `worker`).
    func resume(worker: String) async throws
    /// Contract v2: caps `worker` at `cap` x each limit, or clears its cap when `nil` (`set_limit`
    /// with `worker` and `cap`).
    func setCap(_ cap: Double?, worker: String) async throws
}

extension DashboardLink {
    /// Pauses every pool.
    public func pause() async throws { try await pause(pool: nil) }
    /// Resumes every pool.
    public func resume() async throws { try await resume(pool: nil) }
    /// Sets the limit of the pool `default`.
    public func setLimit(_ limit: Int64) async throws { try await setLimit(limit, pool: nil) }
}
