import NIOCore
import TokenGateWire

/// What a state change asks for, done by ``ClientCore`` once the lock is released: lines to write,
/// continuations to resume, subscription events to deliver, a connection to open or close.
struct ClientEffects {
    private var channel: (any Channel)?
    private var output: [UInt8] = []
    private var replies: [(CheckedContinuation<Reply, any Error>, Result<Reply, any Error>)] = []
    private var waiters: [(CheckedContinuation<Void, any Error>, Result<Void, any Error>)] = []
    private var events: [(AsyncThrowingStream<SubscriptionEvent, any Error>.Continuation, SubscriptionEvent)] = []
    private var finished: [(AsyncThrowingStream<SubscriptionEvent, any Error>.Continuation, (any Error)?)] = []
    /// Start a connection attempt.
    var startConnecting = false
    /// Close this connection.
    var channelToClose: (any Channel)?

    /// Writes `line` (newline included) to `channel`; lines to one channel go out in one write.
    mutating func write(_ line: [UInt8], to channel: any Channel) {
        if let current = self.channel, current !== channel {
            // Never happens (one state change touches one connection); keep the first one's lines.
            return
        }
        self.channel = channel
        output.append(contentsOf: line)
    }

    mutating func resume(_ caller: CheckedContinuation<Reply, any Error>, returning reply: Reply) {
        replies.append((caller, .success(reply)))
    }

    mutating func resume(_ caller: CheckedContinuation<Reply, any Error>, throwing error: any Error) {
        replies.append((caller, .failure(error)))
    }

    mutating func succeed(_ connectWaiters: [CheckedContinuation<Void, any Error>]) {
        waiters.append(contentsOf: connectWaiters.map { ($0, .success(())) })
    }

    mutating func fail(_ connectWaiters: [CheckedContinuation<Void, any Error>], with error: any Error) {
        waiters.append(contentsOf: connectWaiters.map { ($0, .failure(error)) })
    }

    mutating func yield(
        _ event: SubscriptionEvent, to subscriber: AsyncThrowingStream<SubscriptionEvent, any Error>.Continuation
    ) {
        events.append((subscriber, event))
    }

    mutating func finish(
        _ subscriber: AsyncThrowingStream<SubscriptionEvent, any Error>.Continuation, throwing error: (any Error)?
    ) {
        finished.append((subscriber, error))
    }

    /// Does it all, in order: writes, then resumptions and events, then connection changes.
    func perform(on core: ClientCore) {
        if let channel, !output.isEmpty {
            channel.writeAndFlush(ByteBuffer(bytes: output), promise: nil)
        }
        for (caller, result) in replies { caller.resume(with: result) }
        for (waiter, result) in waiters { waiter.resume(with: result) }
        for (subscriber, event) in events { subscriber.yield(event) }
        for (subscriber, error) in finished { subscriber.finish(throwing: error) }
        if startConnecting { core.startConnecting() }
        channelToClose?.close(promise: nil)
    }
}
