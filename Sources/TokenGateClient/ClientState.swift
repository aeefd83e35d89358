import NIOCore
import TokenGateWire

/// Everything a client's core knows, guarded by the core's one lock. Methods mutate the state and
/// collect what must happen outside the lock (writes, resumptions, events) into ``ClientEffects``.
struct ClientState: Sendable {
    /// Where the connection stands.
    enum Phase: Sendable {
        /// No connection and no attempt under way; the next request starts one.
        case idle
        /// A connection attempt is under way.
        case connecting
        /// Connected; `hello` was sent and its reply is awaited.
        case handshaking(any Channel)
        /// Connected and greeted: requests go straight to the wire.
        case ready(any Channel)
        /// The connection was lost (or an attempt failed); the reconnect timer is set.
        case backingOff
        /// ``TokenGateClient/close()`` was called.
        case closed

        /// The connection of this phase, when there is one.
        var channel: (any Channel)? {
            switch self {
            case .handshaking(let channel), .ready(let channel): return channel
            default: return nil
            }
        }
    }

    /// One `subscribe` caller.
    struct Subscriber: Sendable {
        let continuation: AsyncThrowingStream<SubscriptionEvent, any Error>.Continuation
        let intervalMs: Int64
        /// Whether its first snapshot of each connection should carry the fill `history`.
        var history = false
        /// The last `.disconnected` reason this subscriber got since it was last connected.
        var lastDisconnectReason: String?
    }

    var phase = Phase.idle
    /// Whether a connection was ever ready: from then on the client reconnects by itself.
    var everReady = false
    private var lastID: Int64 = 0
    /// Requests written to the current connection, by id.
    var inFlight: [Int64: PendingRequest] = [:]
    /// Requests waiting for a connection to be ready, in id order once sorted.
    var held: [PendingRequest] = []
    var subscribers: [Int: Subscriber] = [:]
    private var lastSubscriberID = 0
    /// `connect()` callers waiting for the connection to be ready.
    var connectWaiters: [CheckedContinuation<Void, any Error>] = []
    /// Failed attempts since the last ready connection (the backoff's exponent).
    var failedAttempts = 0
    var reconnectTimer: Scheduled<Void>?
    /// The timer that fails held acquires whose timeout passes while there is no connection.
    var expiry: (deadline: NIODeadline, timer: Scheduled<Void>)?
    /// Request lines for the ready connection, not yet handed to it: callers on any thread append
    /// here, and one flush on the event loop writes them all with one syscall.
    var outbox: [UInt8] = []
    /// Whether a flush of ``outbox`` is scheduled on the event loop.
    var flushScheduled = false
    /// The problem the current connection reported before it closed (read error, bad line).
    var connectionProblem: String?
    /// Why the client is not connected, while it retries.
    var disconnectReason: String?

    /// A fresh request id.
    mutating func allocateID() -> Int64 {
        lastID += 1
        return lastID
    }

    /// A fresh subscriber id.
    mutating func allocateSubscriberID() -> Int {
        lastSubscriberID += 1
        return lastSubscriberID
    }

    /// Whether `channel` is the current connection.
    func isCurrent(_ channel: any Channel) -> Bool {
        phase.channel.map { $0 === channel } ?? false
    }

    /// The connection is ready: send what was held (re-issued acquires keep their order and what is
    /// left of their timeouts), subscribe again when anyone listens, release `connect()` callers.
    mutating func becomeReady(_ channel: any Channel, now: NIODeadline, effects: inout ClientEffects) {
        phase = .ready(channel)
        everReady = true
        failedAttempts = 0
        disconnectReason = nil
        cancelExpiry()
        let waiting = held.sorted { $0.id < $1.id }
        held.removeAll()
        for var pending in waiting {
            guard pending.prepareToSend(now: now) else {
                if let caller = pending.caller { effects.resume(caller, throwing: Self.timedOutWhileUnreachable) }
                continue
            }
            inFlight[pending.id] = pending
            effects.write(pending.encodeLine(), to: channel)
        }
        if let intervalMs = subscribers.values.lazy.map(\.intervalMs).min() {
            let id = allocateID()
            let subscribe = PendingRequest(
                id: id,
                operation: .subscribe(intervalMs: intervalMs, history: subscribers.values.contains(where: \.history)),
                completion: .subscribe(subscribers: Array(subscribers.keys)),
                now: now)
            inFlight[id] = subscribe
            effects.write(subscribe.encodeLine(), to: channel)
        }
        effects.succeed(connectWaiters)
        connectWaiters.removeAll()
    }

    /// The connection closed, or an attempt failed. With reconnecting on (and a reason to: it was
    /// ready once, or someone subscribes) the client backs off and tries again, keeping its acquires;
    /// otherwise everything waiting fails.
    ///
    /// - Parameter attemptFailed: the connection never became ready; requests held for it (other
    ///   than acquires) fail as unreachable rather than waiting for yet another attempt.
    mutating func connectionFailed(
        reason: String, attemptFailed: Bool, socketPath: String, options: TokenGateClientOptions,
        core: ClientCore, effects: inout ClientEffects
    ) {
        let unreachable = TokenGateClientError.unreachable(socketPath: socketPath, reason: reason)
        if options.reconnects && (everReady || !subscribers.isEmpty) {
            phase = .backingOff
            let delay = options.backoff.delayNanoseconds(attempt: failedAttempts)
            failedAttempts += 1
            reconnectTimer = core.eventLoop.scheduleTask(in: .nanoseconds(delay)) { core.reconnectTimerFired() }
            if attemptFailed {
                held.removeAll { pending in
                    guard !pending.isAcquire else { return false }
                    if let caller = pending.caller { effects.resume(caller, throwing: unreachable) }
                    return true
                }
            }
            scheduleExpiry(core: core)
        } else {
            phase = .idle
            for pending in held {
                if let caller = pending.caller { effects.resume(caller, throwing: unreachable) }
            }
            held.removeAll()
            cancelExpiry()
        }
        effects.fail(connectWaiters, with: unreachable)
        connectWaiters.removeAll()
        disconnectReason = reason
        for (id, var subscriber) in subscribers where subscriber.lastDisconnectReason != reason {
            subscriber.lastDisconnectReason = reason
            subscribers[id] = subscriber
            effects.yield(.disconnected(reason: reason), to: subscriber.continuation)
        }
    }

    /// Fails every waiting request, `connect()` caller and subscriber with `error`, and forgets them.
    mutating func failEverything(with error: TokenGateClientError, effects: inout ClientEffects) {
        for pending in inFlight.values {
            if let caller = pending.caller { effects.resume(caller, throwing: error) }
        }
        for pending in held {
            if let caller = pending.caller { effects.resume(caller, throwing: error) }
        }
        inFlight.removeAll()
        held.removeAll()
        effects.fail(connectWaiters, with: error)
        connectWaiters.removeAll()
        for subscriber in subscribers.values {
            effects.finish(subscriber.continuation, throwing: error == .closed ? nil : error)
        }
        subscribers.removeAll()
        reconnectTimer?.cancel()
        reconnectTimer = nil
        cancelExpiry()
    }

    /// Sets the expiry timer for the earliest timeout among held acquires (or none).
    mutating func scheduleExpiry(core: ClientCore) {
        let earliest = held.lazy.filter { $0.isAcquire }.compactMap(\.deadline).min()
        guard expiry?.deadline != earliest else { return }
        cancelExpiry()
        if let earliest {
            let timer = core.eventLoop.scheduleTask(deadline: earliest) { core.expireHeldAcquires() }
            expiry = (earliest, timer)
        }
    }

    /// Fails the held acquires whose timeout has passed.
    mutating func expireHeldAcquires(now: NIODeadline, core: ClientCore, effects: inout ClientEffects) {
        expiry = nil
        held.removeAll { pending in
            guard pending.isAcquire, let deadline = pending.deadline, deadline <= now else { return false }
            if let caller = pending.caller { effects.resume(caller, throwing: Self.timedOutWhileUnreachable) }
            return true
        }
        scheduleExpiry(core: core)
    }

    mutating func cancelExpiry() {
        expiry?.timer.cancel()
        expiry = nil
    }

    /// The failure of an acquire whose timeout passed while the daemon was not reachable.
    static let timedOutWhileUnreachable = TokenGateClientError.timedOut(
        message: "timed out waiting for a grant (the daemon was not reachable)")
}
