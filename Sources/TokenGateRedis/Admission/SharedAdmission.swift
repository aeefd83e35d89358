/// The amounts of one request, per budget, as the shared admission counts them.
public struct SharedAmounts: Sendable, Hashable {
    /// Input + output tokens.
    public var tokens: Int64
    /// Input tokens.
    public var input: Int64
    /// Output tokens.
    public var output: Int64
    /// Requests (1 per acquire).
    public var requests: Int64

    public init(tokens: Int64, input: Int64 = 0, output: Int64 = 0, requests: Int64 = 1) {
        self.tokens = tokens
        self.input = input
        self.output = output
        self.requests = requests
    }

    var arguments: [String] { [tokens, input, output, requests].map { String(max(0, $0)) } }
}

/// A pool's shared settings: window, send margin, threshold and limits (nil: no limit).
public struct SharedPoolSettings: Sendable, Hashable {
    /// The window's length.
    public var windowMilliseconds: Int64
    /// How long a granted request may take to reach the provider (it counts that much longer).
    public var sendMarginMilliseconds: Int64
    /// The share of each limit grants may fill.
    public var threshold: Double
    /// The limit per budget (`tokens`, `input`, `output`, `requests`); a budget left out has none.
    public var limits: [String: Int64]
    /// Whether the pool is paused (read back from Redis; ignored by ``SharedAdmission/configure(pool:_:)``).
    public var isPaused: Bool

    public init(
        windowMilliseconds: Int64, sendMarginMilliseconds: Int64, threshold: Double, limits: [String: Int64],
        isPaused: Bool = false
    ) {
        self.windowMilliseconds = windowMilliseconds
        self.sendMarginMilliseconds = sendMarginMilliseconds
        self.threshold = threshold
        self.limits = limits
        self.isPaused = isPaused
    }
}

/// The answer to an acquire.
public enum SharedAcquireOutcome: Sendable, Hashable {
    /// Granted at `at` (Redis's clock, µs since 1970).
    case granted(at: Int64)
    /// Queued; the head becomes admissible at `wakeAt` (0: not by time alone).
    case waiting(wakeAt: Int64)
}

/// The answer to any call that may free room: what it did and the pool's next wake instant.
public struct SharedChange: Sendable, Hashable {
    /// `settled`, `already`, `unknown`, `released`, `cancelled`, `cooling`, `paused`, ...
    public var outcome: String
    /// When the queue's head becomes admissible (Redis µs; 0: nothing waits, or not by time).
    public var wakeAt: Int64
    /// Redis's clock when the call ran (µs).
    public var now: Int64
}

/// A pool declared: the shared settings and the organisation's epoch.
public struct SharedDeclaration: Sendable, Hashable {
    /// The shared settings (the first host's stand).
    public var settings: SharedPoolSettings
    /// When this life of Redis first held the organisation's keys (µs, as text): another value
    /// than a host knew means Redis restarted empty meanwhile.
    public var epoch: String
    /// Until when nothing is granted while the hosts re-seed the window (Redis µs; 0 or past: not).
    public var learningUntil: Int64
}

/// An entry a host puts back into a shared window (``SharedAdmission/seed(pool:host:entries:)``).
public struct SharedSeed: Sendable, Hashable {
    /// The ticket's (or usage's) shared id.
    public var id: String
    /// Reported usage (true) or an open ticket's reservation (false).
    public var isUsage: Bool
    /// How long ago it was granted (or, usage without a reservation, reported), by the host's clock.
    public var ageMicroseconds: Int64
    public var amounts: SharedAmounts

    public init(id: String, isUsage: Bool, ageMicroseconds: Int64, amounts: SharedAmounts) {
        self.id = id
        self.isUsage = isUsage
        self.ageMicroseconds = ageMicroseconds
        self.amounts = amounts
    }
}

/// One host as the organisation sees it.
public struct SharedHost: Sendable, Hashable {
    /// The host's name (`--host-name`).
    public var host: String
    /// Since its last heartbeat, by Redis's clock.
    public var lastSeenMillisecondsAgo: Int64
    /// The workers it reported in that heartbeat.
    public var workers: Int64
    /// Tokens its reported tickets hold in the shared windows, over every pool.
    public var used: Int64
    /// Tokens its unreported tickets hold in the shared windows, over every pool.
    public var reserved: Int64
    /// Its waiters in the shared queues, over every pool.
    public var waiting: Int64
    /// Whether this heartbeat (re)added the calling host: its first, or Redis had dropped it as
    /// silent (its waiters left the queues) or lost it in a restart.
    public var joined: Bool = false
}

/// A pool's shared window as of now.
public struct SharedPoolLoad: Sendable, Hashable {
    /// Reported tokens in the window.
    public var used: Int64
    /// Reserved (unreported) tokens in the window.
    public var reserved: Int64
    /// Waiters of every host.
    public var waiting: Int64
    public var isPaused: Bool
    /// Until when nothing is granted after a 429 (Redis µs; 0 or past: no cooldown).
    public var cooldownUntil: Int64
    /// Redis's clock when it was read (µs).
    public var now: Int64
    /// Tokens a provider reported spent that the window cannot see, counting now (``SharedAdmission/observe(pool:kind:providerUsed:resetInMilliseconds:rounding:)``).
    public var unseenTokens: Int64 = 0
}

/// The organisation's shared admission in Redis (``RedisFunctionLibrary/sharedAdmission``): each
/// method is one atomic `FCALL`, safe to retry with the same ids.
public struct SharedAdmission: Sendable {
    public let client: RedisClient
    public let organisation: String

    public init(client: RedisClient, organisation: String) {
        self.client = client
        self.organisation = organisation
    }

    /// The key prefix of the organisation: one hash tag, so every key is in one slot.
    public var prefix: String { "{tg:\(organisation)}" }

    /// The stream on which `host` receives grants of its queued waiters.
    public func grantStream(of host: String) -> String { "\(prefix):grants:\(host)" }

    private func call(_ function: String, _ arguments: [String]) async throws -> RESPValue {
        try await client.fcall(function, in: .sharedAdmission, keys: [prefix], arguments: arguments)
    }

    /// Pool names, host names and ids are stored between `|` separators and in key names.
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 200 && !name.contains(where: { $0 == "|" || $0.isWhitespace || $0 == ":" })
    }

    private func requireValid(_ names: String...) throws {
        for name in names where !Self.isValidName(name) {
            throw SharedAdmissionError.invalidName(name)
        }
    }

    /// Declares a pool; the first host's settings stand, later ones get the shared settings back.
    public func configure(pool: String, _ settings: SharedPoolSettings) async throws -> SharedPoolSettings {
        try await declare(pool: pool, settings).settings
    }

    /// ``configure(pool:_:)`` with the organisation's epoch. A host that knew another epoch
    /// (`knownEpoch`; "" when it knows none) finds Redis restarted empty: nothing is granted for
    /// `learning` from the new epoch's start while the hosts put back what they hold
    /// (``seed(pool:host:entries:)``).
    public func declare(
        pool: String, _ settings: SharedPoolSettings, knownEpoch: String = "", learning: Duration = .zero
    ) async throws -> SharedDeclaration {
        try requireValid(pool)
        let limits = ["tokens", "input", "output", "requests"].map { settings.limits[$0].map(String.init) ?? "" }
        let reply = try await call(
            "tg_configure",
            [pool, String(settings.windowMilliseconds), String(settings.sendMarginMilliseconds), String(settings.threshold)]
                + limits + [knownEpoch, String(learning.milliseconds)]
        )
        guard let fields = reply.elements?.map({ $0.string ?? "" }), fields.count == 10,
            let window = Int64(fields[0]), let margin = Int64(fields[1]), let threshold = Double(fields[2])
        else { throw RedisError.unexpectedReply("tg_configure: \(reply)") }
        var shared: [String: Int64] = [:]
        for (index, kind) in ["tokens", "input", "output", "requests"].enumerated() {
            if let value = Int64(fields[3 + index]) { shared[kind] = value }
        }
        let answer = SharedPoolSettings(
            windowMilliseconds: window / 1000, sendMarginMilliseconds: margin / 1000, threshold: threshold,
            limits: shared, isPaused: fields[7] == "1"
        )
        return SharedDeclaration(settings: answer, epoch: fields[8], learningUntil: Int64(fields[9]) ?? 0)
    }

    /// Puts back what `host` holds in `pool`'s window after Redis restarted empty: its open
    /// tickets and its usage, each at its age; ids Redis knows are left as they are.
    public func seed(pool: String, host: String, entries: [SharedSeed]) async throws -> SharedChange {
        try requireValid(pool, host)
        for entry in entries { try requireValid(entry.id) }
        let arguments = entries.flatMap { entry in
            [entry.id, entry.isUsage ? "u" : "r", String(max(0, entry.ageMicroseconds))] + entry.amounts.arguments
        }
        return try change("tg_seed", await call("tg_seed", [pool, host] + arguments))
    }

    /// Asks for `demand` in `pool` under ticket `id` (unique in the organisation, kept on retries).
    public func acquire(pool: String, host: String, id: String, demand: SharedAmounts) async throws -> SharedAcquireOutcome {
        try await acquireWithClock(pool: pool, host: host, id: id, demand: demand).outcome
    }

    /// ``acquire(pool:host:id:demand:)`` with Redis's clock when the call ran (µs), to time a
    /// waiter's wake instant by.
    public func acquireWithClock(
        pool: String, host: String, id: String, demand: SharedAmounts
    ) async throws -> (outcome: SharedAcquireOutcome, now: Int64) {
        try requireValid(pool, host, id)
        let reply = try await call("tg_acquire", [pool, host, id] + demand.arguments)
        guard let fields = reply.elements?.map({ $0.string ?? "" }), fields.count == 3, let instant = Int64(fields[1]),
            let now = Int64(fields[2])
        else { throw RedisError.unexpectedReply("tg_acquire: \(reply)") }
        switch fields[0] {
        case "granted": return (.granted(at: instant), now)
        case "waiting": return (.waiting(wakeAt: instant), now)
        default: throw RedisError.unexpectedReply("tg_acquire: \(reply)")
        }
    }

    /// Replaces ticket `id`'s reservation by what it really cost (once: a retry is `already`).
    public func report(pool: String, id: String, actual: SharedAmounts) async throws -> SharedChange {
        try change("tg_report", await call("tg_report", [pool, id] + actual.arguments))
    }

    /// Counts what ticket `id` of `host` cost whether or not Redis still holds its reservation:
    /// `settled` as ``report(pool:id:actual:)``, `charged` from now when the id is unknown (Redis
    /// lost it, or usage without a ticket under an id of its own), `already` on a second delivery.
    public func charge(pool: String, host: String, id: String, actual: SharedAmounts) async throws -> SharedChange {
        try requireValid(pool, host, id)
        return try change("tg_charge", await call("tg_charge", [pool, host, id] + actual.arguments))
    }

    /// Drops ticket `id`'s reservation (its request never reached the provider).
    public func release(pool: String, id: String) async throws -> SharedChange {
        try change("tg_release", await call("tg_release", [pool, id]))
    }

    /// Takes waiter `id` out of the queue (timed out, disconnected).
    public func cancel(pool: String, id: String) async throws -> SharedChange {
        try change("tg_cancel", await call("tg_cancel", [pool, id]))
    }

    /// The provider refused: nothing is granted in `pool` by any host for `retryAfterMilliseconds`.
    public func throttle(pool: String, retryAfterMilliseconds: Int64) async throws -> SharedChange {
        try change("tg_throttle", await call("tg_throttle", [pool, String(retryAfterMilliseconds)]))
    }

    /// A provider's reading of budget `kind` (`tokens`, `input`, `output`, `requests`): it counts
    /// `providerUsed` as spent (its limit less its remaining), whole again `resetInMilliseconds`
    /// from now. What the shared window cannot see of it tightens every host's admission, fading
    /// to the reset; differences up to `rounding` count nothing.
    public func observe(
        pool: String, kind: String, providerUsed: Int64, resetInMilliseconds: Int64, rounding: Int64
    ) async throws -> SharedChange {
        try change(
            "tg_observe",
            await call("tg_observe", [pool, kind, String(providerUsed), String(max(0, resetInMilliseconds)), String(rounding)])
        )
    }

    /// Pauses or resumes `pool` for every host.
    public func setPaused(_ paused: Bool, pool: String) async throws -> SharedChange {
        try change("tg_pause", await call("tg_pause", [pool, paused ? "1" : "0"]))
    }

    /// Sets (or with nil removes) the shared limit of budget `kind` (`tokens`, `input`, `output`, `requests`).
    public func setLimit(pool: String, kind: String, to value: Int64?) async throws -> SharedChange {
        try change("tg_set_limit", await call("tg_set_limit", [pool, kind, value.map(String.init) ?? ""]))
    }

    /// The wake instant came: admits what fits now.
    public func tick(pool: String) async throws -> SharedChange {
        try change("tg_tick", await call("tg_tick", [pool]))
    }

    /// Marks `host` alive with its worker count, drops hosts silent for longer than `timeout`
    /// (their waiters leave the queue, their reservations are charged until they slide out) and
    /// returns every live host.
    public func heartbeat(host: String, workers: Int, timeout: Duration) async throws -> [SharedHost] {
        try requireValid(host)
        let reply = try await call("tg_heartbeat", [host, String(workers), String(timeout.milliseconds)])
        guard let rows = reply.elements, !rows.isEmpty else { throw RedisError.unexpectedReply("tg_heartbeat: \(reply)") }
        return try rows.dropFirst().map { row in
            guard let fields = row.elements?.map({ $0.string ?? "" }), fields.count == 6 else {
                throw RedisError.unexpectedReply("tg_heartbeat host: \(row)")
            }
            let numbers = fields.dropFirst().map { Int64($0) ?? 0 }
            return SharedHost(
                host: fields[0], lastSeenMillisecondsAgo: max(0, numbers[0]), workers: numbers[1], used: numbers[2],
                reserved: numbers[3], waiting: numbers[4], joined: numbers[0] < 0
            )
        }
    }

    /// `host` leaves (or starts afresh): its waiters and its grant stream are dropped.
    public func leave(host: String) async throws {
        _ = try await call("tg_leave", [host])
    }

    /// The pool's shared window now.
    public func load(pool: String) async throws -> SharedPoolLoad {
        let reply = try await call("tg_pool_status", [pool])
        guard let fields = reply.elements?.map({ $0.string ?? "" }), fields.count == 7 else {
            throw RedisError.unexpectedReply("tg_pool_status: \(reply)")
        }
        let numbers = fields.map { Int64($0) ?? 0 }
        return SharedPoolLoad(
            used: numbers[0], reserved: numbers[1], waiting: numbers[2], isPaused: fields[3] == "1",
            cooldownUntil: numbers[4], now: numbers[5], unseenTokens: numbers[6]
        )
    }

    private func change(_ function: String, _ reply: RESPValue) throws -> SharedChange {
        guard let fields = reply.elements?.map({ $0.string ?? "" }), fields.count == 3,
            let wake = Int64(fields[1]), let now = Int64(fields[2])
        else { throw RedisError.unexpectedReply("\(function): \(reply)") }
        return SharedChange(outcome: fields[0], wakeAt: wake, now: now)
    }
}

/// A name the shared admission cannot store.
public enum SharedAdmissionError: Error, Sendable, Hashable, CustomStringConvertible {
    case invalidName(String)

    public var description: String {
        switch self {
        case .invalidName(let name):
            "'\(name)' cannot name a pool, host or ticket in Redis: use 1 to 200 bytes without '|', ':' or spaces"
        }
    }
}

extension Duration {
    /// Whole milliseconds, as the functions take them.
    fileprivate var milliseconds: Int64 { components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000 }
}
