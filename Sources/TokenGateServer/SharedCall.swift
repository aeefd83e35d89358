import TokenGateRedis

/// One call this daemon makes to the organisation's shared admission in Redis. Every call names
/// its ticket or waiter, so that sending it again after a lost reply changes nothing the first
/// did: calls Redis could not take are kept and sent again when it is back.
enum SharedCall: Sendable, Hashable {
    /// A local waiter asks for a grant.
    case acquire(pool: String, id: String, demand: SharedAmounts)
    /// What a ticket really cost (or usage without a ticket, under an id of its own).
    case charge(pool: String, id: String, actual: SharedAmounts)
    /// A ticket's request never reached the provider.
    case release(pool: String, id: String)
    /// A waiter left (timed out or withdrawn).
    case cancel(pool: String, id: String)
    /// The pool's wake instant came.
    case tick(pool: String)
    /// A 429: no host grants in the pool until the cooldown ends.
    case throttle(pool: String, retryAfterMs: Int64)
    /// A provider's reading of one budget: spent `used`, whole again `resetInMs` from now.
    case observe(pool: String, kind: String, used: Int64, resetInMs: Int64, rounding: Int64)
    case pause(pool: String, paused: Bool)
    /// A new tokens limit for every host (nil: none).
    case setLimit(pool: String, tokens: Int64?)
    /// Redis restarted empty: what this host holds in the pool's window goes back.
    case seed(pool: String, entries: [SharedSeed])

    var pool: String {
        switch self {
        case .acquire(let pool, _, _), .charge(let pool, _, _), .release(let pool, _), .cancel(let pool, _), .tick(let pool),
            .throttle(let pool, _), .observe(let pool, _, _, _, _), .pause(let pool, _), .setLimit(let pool, _),
            .seed(let pool, _):
            pool
        }
    }

    /// Whether a call Redis could not take is worth sending later: a tick is not (every
    /// heartbeat admits every pool), an acquire is sent again from the waiters still queued, and a
    /// reading is stale by then (its reset counts from when it was read; the next response reads again).
    var isKeptWhileUnreachable: Bool {
        switch self {
        case .tick, .acquire, .observe: false
        default: true
        }
    }
}

/// What Redis answered to a ``SharedCall``.
enum SharedAnswer: Sendable {
    /// An acquire granted at once.
    case granted
    /// The call ran; the pool's head becomes admissible at `wakeAt` (Redis µs; 0: not by time),
    /// Redis's clock being `now` then.
    case changed(outcome: String, wakeAt: Int64, now: Int64)
}

extension SharedAdmission {
    /// Carries out one call for `host`.
    func perform(_ call: SharedCall, host: String) async throws -> SharedAnswer {
        let change: SharedChange
        switch call {
        case .acquire(let pool, let id, let demand):
            let (outcome, now) = try await acquireWithClock(pool: pool, host: host, id: id, demand: demand)
            switch outcome {
            case .granted: return .granted
            case .waiting(let wake): return .changed(outcome: "waiting", wakeAt: wake, now: now)
            }
        case .charge(let pool, let id, let actual): change = try await charge(pool: pool, host: host, id: id, actual: actual)
        case .release(let pool, let id): change = try await release(pool: pool, id: id)
        case .cancel(let pool, let id): change = try await cancel(pool: pool, id: id)
        case .tick(let pool): change = try await tick(pool: pool)
        case .throttle(let pool, let retryAfterMs): change = try await throttle(pool: pool, retryAfterMilliseconds: retryAfterMs)
        case .observe(let pool, let kind, let used, let resetInMs, let rounding):
            change = try await observe(pool: pool, kind: kind, providerUsed: used, resetInMilliseconds: resetInMs, rounding: rounding)
        case .pause(let pool, let paused): change = try await setPaused(paused, pool: pool)
        case .setLimit(let pool, let tokens): change = try await setLimit(pool: pool, kind: "tokens", to: tokens)
        case .seed(let pool, let entries): change = try await seed(pool: pool, host: host, entries: entries)
        }
        return .changed(outcome: change.outcome, wakeAt: change.wakeAt, now: change.now)
    }
}

extension Error {
    /// Whether Redis could not be reached (as opposed to refusing the call).
    var isRedisUnreachable: Bool {
        guard let error = self as? RedisError else { return false }
        switch error {
        case .unreachable, .connectionClosed, .timedOut, .protocolViolation: return true
        case .server, .unexpectedReply: return false
        }
    }

    /// Whether the call may succeed later unchanged: Redis was unreachable, the reply was lost,
    /// or Redis lost the pool's declaration (it restarted empty; the next heartbeat declares it).
    var isSharedCallRetryable: Bool {
        guard let error = self as? RedisError else { return false }
        switch error {
        case .unreachable, .connectionClosed, .timedOut, .protocolViolation: return true
        case .server(let message): return message.contains("is not configured") || message.contains("LOADING")
        case .unexpectedReply: return false
        }
    }
}
