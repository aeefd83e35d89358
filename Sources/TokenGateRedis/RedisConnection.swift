import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// One connection to Redis. Commands may be sent from any task and any number may be in flight;
/// their replies come back in order. A command without a reply within its timeout closes the
/// connection (replies cannot be skipped on a pipelined connection).
public final class RedisConnection: Sendable {
    let channel: Channel

    private init(channel: Channel) {
        self.channel = channel
    }

    /// Connects and selects the endpoint's database.
    public static func connect(
        to endpoint: RedisEndpoint, limits: RESPLimits = RESPLimits(), connectTimeout: Duration = .seconds(2),
        group: EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> RedisConnection {
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(.nanoseconds(connectTimeout.positiveNanoseconds))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(RESPChannelHandler(limits: limits))
                }
            }
        let channel: Channel
        do {
            switch endpoint.address {
            case .tcp(let host, let port):
                channel = try await bootstrap.channelOption(.socketOption(.tcp_nodelay), value: 1)
                    .connect(host: host, port: port).get()
            case .unixSocket(let path):
                channel = try await bootstrap.connect(unixDomainSocketPath: path).get()
            }
        } catch {
            throw RedisError.unreachable("\(endpoint): \(error)")
        }
        let connection = RedisConnection(channel: channel)
        if endpoint.database != 0 {
            do {
                try await connection.send(RESPCommand(["SELECT", String(endpoint.database)])).requireOK()
            } catch {
                connection.close()
                throw error
            }
        }
        return connection
    }

    /// Whether the connection is still open.
    public var isOpen: Bool { channel.isActive }

    /// A future completed when the connection has closed.
    public var closed: EventLoopFuture<Void> { channel.closeFuture }

    /// Sends one command and waits for its reply (an error reply is returned, not thrown).
    public func send(_ command: RESPCommand, timeout: Duration = .seconds(2)) async throws -> RESPValue {
        let replies = try await pipeline([command], timeout: timeout)
        guard let reply = replies.first else { throw RedisError.connectionClosed }
        return reply
    }

    /// Sends the commands in one write and waits for all their replies, in order.
    public func pipeline(_ commands: [RESPCommand], timeout: Duration = .seconds(2)) async throws -> [RESPValue] {
        guard !commands.isEmpty else { return [] }
        let eventLoop = channel.eventLoop
        let promises = commands.map { _ in eventLoop.makePromise(of: RESPValue.self) }
        let channel = self.channel
        eventLoop.execute {
            guard channel.isActive else {
                promises.forEach { $0.fail(RedisError.connectionClosed) }
                return
            }
            for (command, promise) in zip(commands, promises) {
                channel.write(PendingCommand(command: command, promise: promise), promise: nil)
            }
            channel.flush()
        }
        let timedOut = NIOLockedValueBox(false)
        let guardTask = eventLoop.scheduleTask(in: .nanoseconds(timeout.positiveNanoseconds)) {
            timedOut.withLockedValue { $0 = true }
            channel.close(promise: nil)
        }
        defer { guardTask.cancel() }
        var replies: [RESPValue] = []
        replies.reserveCapacity(commands.count)
        for promise in promises {
            do {
                replies.append(try await promise.futureResult.get())
            } catch RedisError.connectionClosed where timedOut.withLockedValue({ $0 }) {
                throw RedisError.timedOut
            }
        }
        return replies
    }

    /// Closes the connection; pending commands fail with ``RedisError/connectionClosed``.
    public func close() {
        channel.close(promise: nil)
    }
}

extension RESPValue {
    /// Throws the error of an error reply; returns the reply otherwise.
    @discardableResult
    public func throwingServerError() throws -> RESPValue {
        if case .error(let message) = self { throw RedisError.server(message) }
        return self
    }

    /// Throws unless the reply is `+OK`.
    public func requireOK() throws {
        try throwingServerError()
        guard case .simpleString("OK") = self else { throw RedisError.unexpectedReply("\(self) instead of OK") }
    }
}

extension Duration {
    /// The duration in nanoseconds, at least 1 (NIO's timeouts), saturating.
    var positiveNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? 1 : Int64.max }
        return max(1, whole.addingReportingOverflow(attoseconds / 1_000_000_000).partialValue)
    }
}
