/// Contract "Several hosts, one limit": the organisation's hosts in the Status object,
/// `{"state", "org", "hosts": [...]}`, absent without `serve --redis`. Additions: `host` (this
/// daemon's name), `last_error`, `pending` and `pools`.
public struct ClusterStatus: Codable, Sendable, Equatable {
    /// `connected`, or `unreachable` while this daemon cannot reach Redis (then it grants nothing).
    public var state: State
    /// The organisation (`--org`).
    public var org: String
    /// Every live host as of the last heartbeat that reached Redis (this one included).
    public var hosts: [HostStatus]
    /// Addition: this daemon's name among them (`--host-name`).
    public var host: String?
    /// Addition: why Redis was last unreachable or refused a call; absent when nothing failed yet.
    public var lastError: String?
    /// Addition: calls kept for Redis until it answers (reports, releases, withdrawals and
    /// acquires made while it was unreachable).
    public var pending: Int?
    /// Addition: every pool's shared window as of the last heartbeat that reached Redis, over all
    /// the organisation's hosts (the pool figures elsewhere in status are this host's tickets).
    public var pools: [ClusterPoolStatus]?

    /// Whether this daemon reaches Redis.
    public enum State: String, Codable, Sendable, Equatable {
        case connected
        case unreachable
    }

    public init(
        state: State, org: String, hosts: [HostStatus], host: String? = nil, lastError: String? = nil, pending: Int? = nil,
        pools: [ClusterPoolStatus]? = nil
    ) {
        self.state = state
        self.org = org
        self.hosts = hosts
        self.host = host
        self.lastError = lastError
        self.pending = pending
        self.pools = pools
    }

    enum CodingKeys: String, CodingKey {
        case state, org, hosts, host
        case lastError = "last_error"
        case pending, pools
    }
}

/// One host of the organisation: its workers, what its tickets hold of every pool's shared
/// window, its waiters, and how long ago it was last heard of.
public struct HostStatus: Codable, Sendable, Equatable {
    public var host: String
    public var workers: Int64
    /// Reported tokens of its tickets in the shared windows, over every pool.
    public var used: Int64
    /// Unreported (reserved) tokens of its tickets in the shared windows, over every pool.
    public var reserved: Int64
    /// Its queued acquires, over every pool.
    public var waiting: Int64
    public var lastSeenMsAgo: Int64

    public init(host: String, workers: Int64, used: Int64, reserved: Int64, waiting: Int64, lastSeenMsAgo: Int64) {
        self.host = host
        self.workers = workers
        self.used = used
        self.reserved = reserved
        self.waiting = waiting
        self.lastSeenMsAgo = lastSeenMsAgo
    }

    enum CodingKeys: String, CodingKey {
        case host, workers, used, reserved, waiting
        case lastSeenMsAgo = "last_seen_ms_ago"
    }
}
