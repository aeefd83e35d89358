import TokenGateRedis

/// `serve --redis URL --org NAME --host-name NAME`: the daemons of every host on one Redis and
/// organisation share each pool's window, queue, pause, limits and cooldowns.
public struct ClusterConfiguration: Sendable {
    /// The Redis the hosts share.
    public var endpoint: RedisEndpoint
    /// The organisation (`--org`): its keys are `{tg:ORG}:...`.
    public var organisation: String
    /// This daemon's name among the organisation's hosts (`--host-name`).
    public var hostName: String
    /// How often this host tells Redis it is alive (and reads the other hosts' figures).
    public var heartbeatInterval: Duration = .milliseconds(500)
    /// How long a host may stay silent before Redis drops its waiters and charges its
    /// reservations (with the interval, a dead host is dropped 1.5 to 2.5 s after it died).
    public var heartbeatTimeout: Duration = .seconds(2)
    /// How long nothing is granted after Redis restarted empty, while every host puts back what
    /// it holds in the windows (at most a window + send margin: by then all of it slid out). Longer
    /// than the longest reconnect wait (2 s) plus a heartbeat, so that every live host is back.
    public var learningPeriod: Duration = .seconds(3)

    public init(endpoint: RedisEndpoint, organisation: String, hostName: String) {
        self.endpoint = endpoint
        self.organisation = organisation
        self.hostName = hostName
    }
}
