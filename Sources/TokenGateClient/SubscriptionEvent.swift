import TokenGateWire

/// What a subscription hears: the link to the daemon coming and going, and the status snapshots in
/// between.
///
/// A subscription starts with ``connected`` once the daemon accepted it, then carries
/// ``snapshot(_:)`` events (every interval and on every state change). When the daemon goes away it
/// carries ``disconnected(reason:)`` (again whenever the reason changes while the client retries),
/// and ``connected`` once the client reconnected and subscribed again.
public enum SubscriptionEvent: Sendable, Equatable {
    /// The daemon accepted the subscription (first time, or again after a reconnect).
    case connected
    /// A status snapshot.
    case snapshot(Status)
    /// The connection is lost or the daemon is not reachable; the client keeps retrying.
    case disconnected(reason: String)
}
