import NIOConcurrencyHelpers
import NIOCore

// No Swift Redis library is available offline here (and Debian's hiredis has no SwiftNIO
// integration), so this module is a small RESP client written by hand on SwiftNIO.

/// A connection to Redis kept up in the background: reconnected with ``RedisClientOptions/backoff``
/// whenever it drops, its function libraries loaded before it is used. Commands sent while there
/// is no connection fail at once with ``RedisError/unreachable(_:)`` (the caller decides whether to
/// keep them for later); commands from any number of tasks share the connection (pipelined).
public final class RedisClient: Sendable {
    public let options: RedisClientOptions
    private let state = NIOLockedValueBox(State())

    private struct State {
        var connection: RedisConnection?
        var lastFailure = "not connected yet"
        var runner: Task<Void, Never>?
        var closed = false
        var connections = 0
    }

    public init(options: RedisClientOptions) {
        self.options = options
    }

    /// Starts connecting (and reconnecting) in the background.
    public func start() {
        state.withLockedValue { state in
            guard state.runner == nil, !state.closed else { return }
            state.runner = Task { [self] in await keepConnected() }
        }
    }

    /// Stops reconnecting and closes the connection.
    public func close() async {
        let (runner, connection) = state.withLockedValue { state in
            state.closed = true
            return (state.runner, state.connection)
        }
        runner?.cancel()
        connection?.close()
        await runner?.value
    }

    /// Whether a connection is up now.
    public var isConnected: Bool { state.withLockedValue { $0.connection?.isOpen ?? false } }

    /// How many connections were made so far (1 after the first, more after reconnects).
    public var connectionCount: Int { state.withLockedValue { $0.connections } }

    /// Waits until a connection is up; false if none came within `timeout`.
    public func waitUntilConnected(timeout: Duration) async -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            if isConnected { return true }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return isConnected
    }

    /// Sends one command; an error reply is returned, not thrown.
    public func send(_ command: RESPCommand) async throws -> RESPValue {
        try await current().send(command, timeout: options.commandTimeout)
    }

    /// Sends the commands in one write; their replies in order.
    public func pipeline(_ commands: [RESPCommand]) async throws -> [RESPValue] {
        try await current().pipeline(commands, timeout: options.commandTimeout)
    }

    /// Calls `function` of `library` with `FCALL`; when Redis says the function is missing, loads
    /// the library and calls once more. An error reply from the function is thrown.
    public func fcall(
        _ function: String, in library: RedisFunctionLibrary, keys: [String], arguments: [String]
    ) async throws -> RESPValue {
        let command = RESPCommand(["FCALL", function, String(keys.count)] + keys + arguments)
        let connection = try current()
        let reply = try await connection.send(command, timeout: options.commandTimeout)
        guard let message = reply.errorMessage, RedisFunctionLibrary.isMissingFunction(message) else {
            return try reply.throwingServerError()
        }
        let replies = try await connection.pipeline([library.loadCommand, command], timeout: options.commandTimeout)
        guard replies.count == 2 else { throw RedisError.connectionClosed }
        try replies[0].throwingServerError()
        return try replies[1].throwingServerError()
    }

    private func current() throws -> RedisConnection {
        try state.withLockedValue { state in
            if let connection = state.connection, connection.isOpen { return connection }
            throw RedisError.unreachable(state.lastFailure)
        }
    }

    private func keepConnected() async {
        var attempt = 0
        while !Task.isCancelled {
            do {
                let connection = try await RedisConnection.connect(
                    to: options.endpoint, limits: options.limits, connectTimeout: options.connectTimeout
                )
                do {
                    for library in options.libraries {
                        try await connection.send(library.loadCommand, timeout: options.commandTimeout)
                            .throwingServerError()
                    }
                } catch {
                    connection.close()
                    throw error
                }
                let accepted = state.withLockedValue { state -> Bool in
                    guard !state.closed else { return false }
                    state.connection = connection
                    state.connections += 1
                    return true
                }
                guard accepted else {
                    connection.close()
                    return
                }
                attempt = 0
                try? await connection.closed.get()
                state.withLockedValue { state in
                    if state.connection === connection { state.connection = nil }
                    state.lastFailure = "the connection to \(options.endpoint) closed"
                }
            } catch {
                // The reason alone: `RedisError.unreachable` says "Redis unreachable" itself.
                let reason = if case RedisError.unreachable(let why) = error { why } else { "\(error)" }
                state.withLockedValue { $0.lastFailure = reason }
            }
            let delay = options.backoff.delayNanoseconds(attempt: attempt)
            attempt += 1
            try? await Task.sleep(nanoseconds: UInt64(max(0, delay)))
        }
    }
}
