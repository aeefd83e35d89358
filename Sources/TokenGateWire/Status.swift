import TokenGateCore

/// The daemon's state as the contract's Status object: what `status` replies with, what `subscribe`
/// pushes, and what `tokengate status --json` prints. Keys are snake_case on the wire.
public struct Status: Codable, Sendable, Equatable {
    /// `running`, `paused` or `cooldown`.
    public var state: GateState
    public var windowMs: Int64
    /// The `tokens` budget's limit per window.
    public var limit: Int64
    public var threshold: Double
    /// Tokens consumed in the window (the `tokens` budget).
    public var used: Int64
    /// Tokens held by outstanding reservations.
    public var reserved: Int64
    /// Granted tickets not yet reported or released.
    public var inFlight: Int
    /// Acquires queued for a grant.
    public var waiting: Int
    /// Present only in cooldown.
    public var cooldownRemainingMs: Int64?
    public var budgets: [BudgetStatus]
    public var workers: [WorkerStatus]
    public var uptimeMs: Int64
    /// `tokengate/<version>`.
    public var server: String
    /// Addition to contract v1: the head of the queue, when there is one.
    public var queue: QueueStatus?
    /// Addition to contract v1: the worker whose 429 started the current cooldown.
    public var cooldownWorker: String?
    /// Addition to contract v1: the usage journal, absent when the daemon runs with `--no-state`.
    public var journal: JournalStatus?
    /// Contract v2: `sliding-window` or `token-bucket` (absent from a v1 daemon).
    public var algorithm: String?
    /// Contract v2: the send margin in milliseconds (absent from a v1 daemon).
    public var sendMarginMs: Int64?
    /// Contract v2: the HTTP gateway (`serve --gateway`), absent when the daemon runs none.
    public var gateway: GatewayStatus?
    /// Contract "Several hosts": the organisation's hosts (`serve --redis`), absent without.
    public var cluster: ClusterStatus?
    /// Contract v2: every pool, `default` first (absent from a v1 daemon).
    public var pools: [PoolStatus]?
    /// Addition to contract v2: tokens per minute, grants per second, wait p99 and 429s over the
    /// last window (absent from older daemons).
    public var rates: RatesStatus?
    /// Addition to contract v2: the window's fill per second over the last window; only in the
    /// first snapshot of a `subscribe` with `"history": true`.
    public var history: HistoryStatus?
    /// Addition to contract v2: `default`'s queued acquires by priority (absent from older daemons).
    public var queueByPriority: PriorityCounts?
    /// Addition to contract v2: the share of each capacity only high-priority grants may fill
    /// (`serve --reserve-high`; 0 when none).
    public var reserveHigh: Double?
    /// Addition to contract v2: how long a waiter waits before its place rises one priority.
    public var priorityAgingMs: Int64?

    public init(
        state: GateState, windowMs: Int64, limit: Int64, threshold: Double, used: Int64, reserved: Int64,
        inFlight: Int, waiting: Int, cooldownRemainingMs: Int64? = nil, budgets: [BudgetStatus],
        workers: [WorkerStatus], uptimeMs: Int64, server: String, queue: QueueStatus? = nil,
        cooldownWorker: String? = nil, journal: JournalStatus? = nil, algorithm: String? = nil,
        sendMarginMs: Int64? = nil, pools: [PoolStatus]? = nil, rates: RatesStatus? = nil, history: HistoryStatus? = nil
    ) {
        self.pools = pools
        self.rates = rates
        self.history = history
        self.algorithm = algorithm
        self.sendMarginMs = sendMarginMs
        self.state = state
        self.windowMs = windowMs
        self.limit = limit
        self.threshold = threshold
        self.used = used
        self.reserved = reserved
        self.inFlight = inFlight
        self.waiting = waiting
        self.cooldownRemainingMs = cooldownRemainingMs
        self.budgets = budgets
        self.workers = workers
        self.uptimeMs = uptimeMs
        self.server = server
        self.queue = queue
        self.cooldownWorker = cooldownWorker
        self.journal = journal
    }

    enum CodingKeys: String, CodingKey {
        case state
        case windowMs = "window_ms"
        case limit, threshold, used, reserved
        case inFlight = "in_flight"
        case waiting
        case cooldownRemainingMs = "cooldown_remaining_ms"
        case budgets, workers
        case uptimeMs = "uptime_ms"
        case server, queue
        case cooldownWorker = "cooldown_worker"
        case journal
        case algorithm
        case sendMarginMs = "send_margin_ms"
        case gateway
        case cluster
        case pools
        case rates, history
        case queueByPriority = "queue_by_priority"
        case reserveHigh = "reserve_high"
        case priorityAgingMs = "priority_aging_ms"
    }
}

/// Addition to contract v1: the usage journal's health, `{"path", "ok", "error"?}`.
public struct JournalStatus: Codable, Sendable, Equatable {
    /// The journal's database file.
    public var path: String
    /// Whether the journal is writing; when false the daemon keeps limiting in memory.
    public var ok: Bool
    /// Why it is not writing, one line; absent while `ok`.
    public var error: String?

    public init(path: String, ok: Bool, error: String? = nil) {
        self.path = path
        self.ok = ok
        self.error = error
    }
}

/// One configured budget: `tokens` always, `input`, `output` and `requests` when limited.
public struct BudgetStatus: Codable, Sendable, Equatable {
    public var name: String
    public var limit: Int64
    public var used: Int64
    public var reserved: Int64
    /// Addition to contract v1: spending the provider reported that this daemon cannot see
    /// (fading to zero at the provider's reset time). Absent when zero.
    public var external: Int64?
    /// Addition to contract v1: what the provider last said is left (its own, rounded figure).
    public var providerRemaining: Int64?
    /// Addition to contract v1: the provider's own limit for this budget, when it said.
    public var providerLimit: Int64?
    /// Addition to contract v1: how long ago the provider's figures were observed.
    public var providerObservedMsAgo: Int64?

    public init(
        name: String, limit: Int64, used: Int64, reserved: Int64, external: Int64? = nil,
        providerRemaining: Int64? = nil, providerLimit: Int64? = nil, providerObservedMsAgo: Int64? = nil
    ) {
        self.name = name
        self.limit = limit
        self.used = used
        self.reserved = reserved
        self.external = external
        self.providerRemaining = providerRemaining
        self.providerLimit = providerLimit
        self.providerObservedMsAgo = providerObservedMsAgo
    }

    enum CodingKeys: String, CodingKey {
        case name, limit, used, reserved, external
        case providerRemaining = "provider_remaining"
        case providerLimit = "provider_limit"
        case providerObservedMsAgo = "provider_observed_ms_ago"
    }
}

/// One worker as seen in the window.
public struct WorkerStatus: Codable, Sendable, Equatable {
    public var worker: String
    /// Tokens this worker consumed in the window.
    public var used: Int64
    /// Requests this worker made in the window.
    public var requests: Int64
    public var inFlight: Int
    public var waiting: Int
    public var lastSeenMsAgo: Int64
    public var connected: Bool
    /// Contract v2: the age of the worker's oldest ticket in flight; absent when it has none.
    public var oldestGrantMs: Int64?
    /// Contract v2: tokens used in the window per pool it used (absent from a v1 daemon).
    public var poolUsed: [String: Int64]?
    /// Contract v2: an operator paused this worker (its waiters are passed over); absent from
    /// older daemons.
    public var paused: Bool?
    /// Contract v2: the worker's share of each limit, set by an operator; nil when uncapped
    /// (written as `null` whenever `paused` is present).
    public var cap: Double?
    /// Addition to contract v2: its oldest tickets in flight, oldest first (at most 16); absent when none.
    public var tickets: [TicketStatus]?
    /// Addition to contract v2: its queued acquires in queue order (at most 16); absent when none.
    public var waiters: [WaiterStatus]?
    /// Contract "Several hosts": the host whose daemon serves this worker (`--host-name`);
    /// absent without `serve --redis`.
    public var host: String?

    public init(
        worker: String, used: Int64, requests: Int64, inFlight: Int, waiting: Int, lastSeenMsAgo: Int64,
        connected: Bool, oldestGrantMs: Int64? = nil, poolUsed: [String: Int64]? = nil, paused: Bool? = nil,
        cap: Double? = nil, tickets: [TicketStatus]? = nil, waiters: [WaiterStatus]? = nil
    ) {
        self.poolUsed = poolUsed
        self.worker = worker
        self.used = used
        self.requests = requests
        self.inFlight = inFlight
        self.waiting = waiting
        self.lastSeenMsAgo = lastSeenMsAgo
        self.connected = connected
        self.oldestGrantMs = oldestGrantMs
        self.paused = paused
        self.cap = cap
        self.tickets = tickets
        self.waiters = waiters
    }

    enum CodingKeys: String, CodingKey {
        case worker, used, requests
        case inFlight = "in_flight"
        case waiting
        case lastSeenMsAgo = "last_seen_ms_ago"
        case connected
        case oldestGrantMs = "oldest_grant_ms"
        case poolUsed = "pool_used"
        case paused, cap, tickets, waiters, host
    }

    /// The synthesized encoding, except that `cap` is written as `null` when there is none and the
    /// daemon reports controls (`paused` present): the contract's "number or null".
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(worker, forKey: .worker)
        try container.encode(used, forKey: .used)
        try container.encode(requests, forKey: .requests)
        try container.encode(inFlight, forKey: .inFlight)
        try container.encode(waiting, forKey: .waiting)
        try container.encode(lastSeenMsAgo, forKey: .lastSeenMsAgo)
        try container.encode(connected, forKey: .connected)
        try container.encodeIfPresent(oldestGrantMs, forKey: .oldestGrantMs)
        try container.encodeIfPresent(poolUsed, forKey: .poolUsed)
        try container.encodeIfPresent(paused, forKey: .paused)
        if let cap {
            try container.encode(cap, forKey: .cap)
        } else if paused != nil {
            try container.encodeNil(forKey: .cap)
        }
        try container.encodeIfPresent(tickets, forKey: .tickets)
        try container.encodeIfPresent(waiters, forKey: .waiters)
        try container.encodeIfPresent(host, forKey: .host)
    }
}

/// Addition to contract v1: the waiter at the head of the queue.
public struct QueueStatus: Codable, Sendable, Equatable {
    /// The head waiter's worker name.
    public var worker: String
    /// Its estimate in tokens.
    public var estimate: Int64
    /// Milliseconds until it becomes admissible if nothing else changes; absent when only a report,
    /// a release, a resume or a limit change can let it in.
    public var admissibleInMs: Int64?
    /// The estimate exceeds threshold x limit: it is granted only once the window and the
    /// reservations are empty.
    public var oversized: Bool
    /// Addition to contract v2: the priority the head asked for (absent from older daemons).
    public var priority: Priority?

    public init(worker: String, estimate: Int64, admissibleInMs: Int64?, oversized: Bool, priority: Priority? = nil) {
        self.worker = worker
        self.estimate = estimate
        self.admissibleInMs = admissibleInMs
        self.oversized = oversized
        self.priority = priority
    }

    enum CodingKeys: String, CodingKey {
        case worker, estimate
        case admissibleInMs = "admissible_in_ms"
        case oversized, priority
    }
}
