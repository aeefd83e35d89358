import TokenGateCore

/// Everything `tokengate serve` starts a daemon with.
public struct ServerConfiguration: Sendable {
    /// The Unix socket to listen on (at most 107 bytes).
    public var socketPath: String
    /// The pools (contract v2), checked: `default` (the top-level limits) first, then one limit
    /// per model class.
    public var pools: PoolSet
    /// The pool `default`'s configuration (the top-level limits).
    public var gate: GateConfiguration { pools.gate(0).configuration }
    /// A group whose members may use the gate besides the daemon's own user and root.
    public var allowGroup: String?
    /// Sent as `server: tokengate/<version>`.
    public var version: String
    /// Bytes a subscriber may leave unread before it is disconnected.
    public var subscriberBacklogLimit: Int
    /// How long a subscriber may leave a snapshot unread before it is disconnected (snapshots it
    /// cannot take meanwhile are skipped: the next one carries the latest state).
    public var subscriberStallLimit: TimeSpan = .seconds(5)
    /// Bytes of replies a client may leave unread before the daemon stops reading its requests.
    public var replyBacklogLimit: Int
    /// The shortest gap between two state-change snapshots pushed to one subscriber.
    public var minimumSnapshotGap: TimeSpan
    /// `--limit auto`: adopt the tokens limit the provider reports in its headers.
    public var adoptsProviderLimit = false
    /// Where reports and actions are journaled; nil runs without state.
    public var journal: (any JournalSink)?
    /// What the journal recovered at start: replayed into the gate before serving.
    public var recovery: JournalRecovery?
    /// `--metrics`: where to serve Prometheus metrics over HTTP; nil serves none.
    public var metrics: MetricsEndpoint?
    /// `--redis`: the limit is shared with other hosts' daemons; nil holds it alone.
    public var cluster: ClusterConfiguration?

    public init(
        socketPath: String, gate: GateConfiguration, allowGroup: String? = nil, version: String,
        subscriberBacklogLimit: Int = 256 * 1024, replyBacklogLimit: Int = 1024 * 1024,
        minimumSnapshotGap: TimeSpan = .milliseconds(50), journal: (any JournalSink)? = nil,
        recovery: JournalRecovery? = nil
    ) {
        self.journal = journal
        self.recovery = recovery
        self.socketPath = socketPath
        self.pools = PoolSet(default: gate)
        self.allowGroup = allowGroup
        self.version = version
        self.subscriberBacklogLimit = subscriberBacklogLimit
        self.replyBacklogLimit = replyBacklogLimit
        self.minimumSnapshotGap = minimumSnapshotGap
    }

    /// `tokengate/<version>`.
    public var serverName: String { "tokengate/\(version)" }
}
