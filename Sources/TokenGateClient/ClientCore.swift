import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import TokenGateWire

/// The engine behind ``TokenGateClient``: one connection at a time, a table of requests awaiting
/// their replies (matched by `id`, in any order), reconnecting with backoff.
///
/// All state sits behind one lock; replies are read on the connection's event loop and resume the
/// awaiting callers' continuations directly (no task per request). State changes compute their
/// effects under the lock and perform them after releasing it.
final class ClientCore: Sendable {
    let socketPath: String
    let worker: String?
    let options: TokenGateClientOptions
    let eventLoop: any EventLoop
    /// Why no request can be sent at all (an invalid worker name), checked before every call.
    let configurationProblem: TokenGateClientError?
    private let state = NIOLockedValueBox(ClientState())

    init(socketPath: String, worker: String?, options: TokenGateClientOptions) {
        self.socketPath = socketPath
        self.worker = worker
        self.options = options
        self.eventLoop = options.eventLoopGroup.next()
        if let worker, !WireLimits.isValidWorkerName(worker) {
            configurationProblem = .invalidArgument(
                "invalid worker name \"\(worker)\": use 1 to 64 characters of A-Z a-z 0-9 . _ : -")
        } else {
            configurationProblem = nil
        }
    }

    // MARK: Requests

    /// Sends `operation` and returns its reply (a failure reply too: callers interpret it).
    func send(_ operation: Request.Operation, target: PoolTarget = .unspecified) async throws -> Reply {
        try await withCheckedThrowingContinuation { caller in
            submit(operation, target: target, id: nil, caller: caller, failIfCancelled: false)
        }
    }

    /// Sends an acquire and returns its reply. When the calling task is cancelled, the call throws
    /// `CancellationError` at once; a grant that still arrives is released.
    func acquire(_ fields: Request.Acquire, target: PoolTarget = .unspecified) async throws -> Reply {
        let id = state.withLockedValue { $0.allocateID() }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { caller in
                submit(.acquire(fields), target: target, id: id, caller: caller, failIfCancelled: true)
            }
        } onCancel: {
            abandon(id)
        }
    }

    private enum SubmitNext {
        case flush
        case none
        case connect
        case wait
        case fail(any Error)
    }

    private func submit(
        _ operation: Request.Operation, target: PoolTarget, id: Int64?, caller: CheckedContinuation<Reply, any Error>,
        failIfCancelled: Bool
    ) {
        if let configurationProblem {
            caller.resume(throwing: configurationProblem)
            return
        }
        if let tooLong = Self.lineLimitProblem(operation) {
            caller.resume(throwing: tooLong)
            return
        }
        let now = NIODeadline.now()
        let next: SubmitNext = state.withLockedValue { state in
            // Checked under the lock: a cancellation handler that ran before this found nothing to
            // abandon, one that runs after finds the request.
            if failIfCancelled && Task.isCancelled { return .fail(CancellationError()) }
            var pending = PendingRequest(
                id: id ?? state.allocateID(), operation: operation, completion: .caller(caller), now: now)
            pending.target = target
            switch state.phase {
            case .closed:
                return .fail(TokenGateClientError.closed)
            case .ready:
                _ = pending.prepareToSend(now: now)
                state.inFlight[pending.id] = pending
                state.outbox.append(contentsOf: pending.encodeLine())
                guard !state.flushScheduled else { return .none }
                state.flushScheduled = true
                return .flush
            case .idle:
                state.held.append(pending)
                state.phase = .connecting
                return .connect
            case .connecting, .handshaking, .backingOff:
                state.held.append(pending)
                if pending.deadline != nil { state.scheduleExpiry(core: self) }
                return .wait
            }
        }
        switch next {
        case .flush:
            if eventLoop.inEventLoop {
                flushOutbox()
            } else {
                eventLoop.execute { self.flushOutbox() }
            }
        case .connect:
            startConnecting()
        case .none, .wait:
            break
        case .fail(let error):
            caller.resume(throwing: error)
        }
    }

    /// Writes the lines callers queued since the last flush to the ready connection, in one write.
    /// Concurrent callers thus share a syscall, and only the first of them hops to the event loop.
    private func flushOutbox() {
        let flush: (channel: any Channel, bytes: [UInt8])? = state.withLockedValue { state in
            state.flushScheduled = false
            guard case .ready(let channel) = state.phase, !state.outbox.isEmpty else {
                state.outbox.removeAll()
                return nil
            }
            var bytes: [UInt8] = []
            bytes.reserveCapacity(max(256, state.outbox.count))
            swap(&bytes, &state.outbox)
            return (channel, bytes)
        }
        if let flush {
            flush.channel.writeAndFlush(ByteBuffer(bytes: flush.bytes), promise: nil)
        }
    }

    /// Why `operation` cannot be sent: its line would pass the protocol's 65,536 bytes (the daemon
    /// would answer `line_too_long` and close the connection). Only operations carrying free-form
    /// text can get there, so only those are measured.
    private static func lineLimitProblem(_ operation: Request.Operation) -> TokenGateClientError? {
        switch operation {
        case .observe(let headers):
            let estimate = headers.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count }
            guard estimate > WireLimits.maxLineBytes / 2 else { return nil }
        case .report(let fields):
            let estimate = (fields.model?.utf8.count ?? 0) + (fields.ticket?.utf8.count ?? 0)
                + (fields.worker?.utf8.count ?? 0)
            guard estimate > WireLimits.maxLineBytes / 2 else { return nil }
        default:
            return nil
        }
        let length = Request(id: .integer(Int64.max), operation).encodeLine().count - 1
        guard length > WireLimits.maxLineBytes else { return nil }
        return .invalidArgument(
            "the `\(operation.name.rawValue)` request would be \(length) bytes, over the protocol's limit of \(WireLimits.maxLineBytes)")
    }

    /// The task awaiting acquire `id` was cancelled: answer it now; a grant that still arrives is
    /// released, and a held acquire is never sent.
    private func abandon(_ id: Int64) {
        let caller: CheckedContinuation<Reply, any Error>? = state.withLockedValue { state in
            if var pending = state.inFlight[id], let caller = pending.caller {
                pending.completion = .abandonedAcquire
                state.inFlight[id] = pending
                return caller
            }
            if let index = state.held.firstIndex(where: { $0.id == id }), let caller = state.held[index].caller {
                state.held.remove(at: index)
                return caller
            }
            return nil
        }
        caller?.resume(throwing: CancellationError())
    }

    // MARK: Replies

    /// One line from `channel`: an event for the subscribers, or the reply to a request.
    func handle(_ reply: Reply, on channel: any Channel) {
        if reply.event != nil {
            guard reply.isSnapshotEvent, let status = reply.status else { return }
            let subscribers = state.withLockedValue { state in
                state.isCurrent(channel) ? state.subscribers.values.map(\.continuation) : []
            }
            for subscriber in subscribers { subscriber.yield(.snapshot(status)) }
            return
        }
        guard case .integer(let id) = reply.id else { return }
        var effects = ClientEffects()
        // The common case, a caller awaiting this reply, resumes it without building effects.
        let answered: (CheckedContinuation<Reply, any Error>, Reply)? = state.withLockedValue { state in
            guard state.isCurrent(channel), let pending = state.inFlight.removeValue(forKey: id) else { return nil }
            switch pending.completion {
            case .caller(let caller):
                guard pending.isAcquire else { return (caller, reply) }
                if reply.error == .shuttingDown && options.reconnects {
                    // The daemon is stopping: ask its successor once the client reconnects.
                    state.held.append(pending)
                    state.scheduleExpiry(core: self)
                    return nil
                }
                return (caller, Self.withClientSideWait(reply, of: pending))
            case .abandonedAcquire:
                if reply.ok, let ticket = reply.ticket {
                    let release = Request(id: .integer(state.allocateID()), .release(ticket: ticket))
                    effects.write(release.encodeLine(), to: channel)
                }
            case .hello:
                if reply.ok {
                    state.becomeReady(channel, now: .now(), effects: &effects)
                } else {
                    let failure = reply.failure.map(TokenGateClientError.init(failure:))
                    state.phase = .idle
                    state.failEverything(
                        with: failure ?? .protocolViolation("hello refused without an error"), effects: &effects)
                    effects.channelToClose = channel
                }
            case .subscribe(let targets):
                for target in targets {
                    guard var subscriber = state.subscribers[target] else { continue }
                    if reply.ok {
                        subscriber.lastDisconnectReason = nil
                        state.subscribers[target] = subscriber
                        effects.yield(.connected, to: subscriber.continuation)
                    } else {
                        state.subscribers[target] = nil
                        let failure = reply.failure.map(TokenGateClientError.init(failure:))
                        effects.finish(subscriber.continuation, throwing: failure)
                    }
                }
            }
            return nil
        }
        if let (caller, reply) = answered {
            caller.resume(returning: reply)
        } else {
            effects.perform(on: self)
        }
    }

    /// A grant's wait as the caller saw it: the daemon's `waited_ms` plus the time before the
    /// acquire was last sent (non-zero when it was re-issued after a reconnect).
    private static func withClientSideWait(_ reply: Reply, of pending: PendingRequest) -> Reply {
        let extra = pending.millisecondsBeforeLastSend
        guard reply.ok, extra > 0 else { return reply }
        var adjusted = reply
        adjusted.fields["waited_ms"] = .integer((reply.waitedMs ?? 0) + extra)
        return adjusted
    }

    /// The connection reported a problem; it is about to be closed, and `reason` explains why.
    func noteFailure(_ reason: String, on channel: any Channel) {
        state.withLockedValue { state in
            if state.isCurrent(channel), state.connectionProblem == nil { state.connectionProblem = reason }
        }
    }

    // MARK: Connection

    /// `connect()`: returns once a connection is ready (at once when it is).
    func connect() async throws {
        if let configurationProblem { throw configurationProblem }
        try await withCheckedThrowingContinuation { (waiter: CheckedContinuation<Void, any Error>) in
            enum Next { case done, start, wait, closed }
            let next: Next = state.withLockedValue { state in
                switch state.phase {
                case .closed: return .closed
                case .ready: return .done
                case .idle:
                    state.connectWaiters.append(waiter)
                    state.phase = .connecting
                    return .start
                case .connecting, .handshaking, .backingOff:
                    state.connectWaiters.append(waiter)
                    return .wait
                }
            }
            switch next {
            case .done: waiter.resume()
            case .closed: waiter.resume(throwing: TokenGateClientError.closed)
            case .start: startConnecting()
            case .wait: break
            }
        }
    }

    /// Whether the connection is ready.
    var isConnected: Bool {
        state.withLockedValue { state in
            if case .ready = state.phase { return true }
            return false
        }
    }

    /// Opens a connection; the phase is already `.connecting`.
    func startConnecting() {
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(.nanoseconds(max(1, options.connectTimeout.wholeNanoseconds)))
            .channelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineFrameDecoder(maxLength: ReplyDispatchHandler.maximumLineBytes)))
                    try channel.pipeline.syncOperations.addHandler(ReplyDispatchHandler(core: self))
                }
            }
        bootstrap.connect(unixDomainSocketPath: socketPath).whenComplete { [self] result in
            switch result {
            case .success(let channel): connectionEstablished(channel)
            case .failure(let error): connectionAttemptFailed(ConnectionFailure.describe(error))
            }
        }
    }

    private func connectionEstablished(_ channel: any Channel) {
        var effects = ClientEffects()
        let keep: Bool = state.withLockedValue { state in
            guard case .connecting = state.phase else { return false }
            state.connectionProblem = nil
            if let worker {
                state.phase = .handshaking(channel)
                let hello = PendingRequest(
                    id: state.allocateID(), operation: .hello(worker: worker), completion: .hello, now: .now())
                state.inFlight[hello.id] = hello
                effects.write(hello.encodeLine(), to: channel)
            } else {
                state.becomeReady(channel, now: .now(), effects: &effects)
            }
            return true
        }
        guard keep else {
            channel.close(promise: nil)
            return
        }
        channel.closeFuture.whenComplete { [self] _ in connectionClosed(channel) }
        effects.perform(on: self)
    }

    private func connectionAttemptFailed(_ reason: String) {
        var effects = ClientEffects()
        state.withLockedValue { state in
            guard case .connecting = state.phase else { return }
            state.connectionFailed(
                reason: reason, attemptFailed: true, socketPath: socketPath, options: options, core: self,
                effects: &effects)
        }
        effects.perform(on: self)
    }

    private func connectionClosed(_ channel: any Channel) {
        var effects = ClientEffects()
        state.withLockedValue { state in
            guard state.isCurrent(channel) else { return }
            var wasReady = false
            if case .ready = state.phase { wasReady = true }
            let reason = state.connectionProblem ?? "the daemon closed the connection"
            state.connectionProblem = nil
            var reissued: [PendingRequest] = []
            for pending in state.inFlight.values {
                guard let caller = pending.caller else { continue }
                if pending.isAcquire && options.reconnects {
                    reissued.append(pending)
                } else {
                    let lost = TokenGateClientError.connectionLost(
                        operation: pending.operation.name.rawValue, reason: reason)
                    effects.resume(caller, throwing: lost)
                }
            }
            state.inFlight.removeAll()
            state.outbox.removeAll()
            state.held = (reissued + state.held).sorted { $0.id < $1.id }
            state.connectionFailed(
                reason: reason, attemptFailed: !wasReady, socketPath: socketPath, options: options, core: self,
                effects: &effects)
        }
        effects.perform(on: self)
    }

    /// The backoff is over: try again.
    func reconnectTimerFired() {
        let attempt: Bool = state.withLockedValue { state in
            guard case .backingOff = state.phase else { return false }
            state.reconnectTimer = nil
            state.phase = .connecting
            return true
        }
        if attempt { startConnecting() }
    }

    /// A held acquire's timeout passed while there was no connection.
    func expireHeldAcquires() {
        var effects = ClientEffects()
        state.withLockedValue { state in
            state.expireHeldAcquires(now: .now(), core: self, effects: &effects)
        }
        effects.perform(on: self)
    }

    // MARK: Subscriptions

    /// Registers a subscriber; its stream keeps `owner` alive until it ends.
    func subscribe(intervalMs: Int64, history: Bool = false, owner: some AnyObject & Sendable) -> AsyncThrowingStream<SubscriptionEvent, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(
            of: SubscriptionEvent.self, bufferingPolicy: .bufferingNewest(64))
        if let configurationProblem {
            continuation.finish(throwing: configurationProblem)
            return stream
        }
        let subscriberID = state.withLockedValue { $0.allocateSubscriberID() }
        continuation.onTermination = { [self] _ in
            withExtendedLifetime(owner) { removeSubscriber(subscriberID) }
        }
        var effects = ClientEffects()
        state.withLockedValue { state in
            if case .closed = state.phase {
                effects.finish(continuation, throwing: nil)
                return
            }
            let subscriber = ClientState.Subscriber(
                continuation: continuation, intervalMs: intervalMs, history: history,
                lastDisconnectReason: state.disconnectReason)
            state.subscribers[subscriberID] = subscriber
            switch state.phase {
            case .ready(let channel):
                let request = PendingRequest(
                    id: state.allocateID(), operation: .subscribe(intervalMs: intervalMs, history: history),
                    completion: .subscribe(subscribers: [subscriberID]), now: .now())
                state.inFlight[request.id] = request
                effects.write(request.encodeLine(), to: channel)
            case .idle:
                state.phase = .connecting
                effects.startConnecting = true
            case .backingOff:
                if let reason = state.disconnectReason {
                    effects.yield(.disconnected(reason: reason), to: continuation)
                }
            case .connecting, .handshaking, .closed:
                break
            }
        }
        effects.perform(on: self)
        return stream
    }

    private func removeSubscriber(_ id: Int) {
        state.withLockedValue { state in
            state.subscribers[id] = nil
        }
    }

    // MARK: Closing

    /// Closes the connection and fails everything waiting with ``TokenGateClientError/closed``.
    /// Returns the connection that was open, if any.
    @discardableResult
    func shutdown() -> (any Channel)? {
        var effects = ClientEffects()
        let channel: (any Channel)? = state.withLockedValue { state in
            let channel = state.phase.channel
            state.phase = .closed
            state.failEverything(with: .closed, effects: &effects)
            return channel
        }
        effects.perform(on: self)
        channel?.close(promise: nil)
        return channel
    }
}

extension TokenGateClientError {
    /// The client error for a failure reply: `timeout` is ``timedOut(message:)``, the rest
    /// ``rejected(code:message:)``.
    init(failure: WireFailure) {
        if failure.code == .timeout {
            self = .timedOut(message: failure.message)
        } else {
            self = .rejected(code: failure.code, message: failure.message)
        }
    }
}
