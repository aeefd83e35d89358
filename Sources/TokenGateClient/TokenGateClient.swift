import NIOCore
import TokenGateWire

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An async client for the tokengate daemon, for workers and tools.
///
/// ```swift
/// let gate = TokenGateClient(worker: "crawler-1")
/// let grant = try await gate.acquire(tokens: 4_000, timeout: .seconds(30))
/// let response = try await callTheModel()
/// try await gate.report(grant, input: response.usage.input, output: response.usage.output)
/// ```
///
/// One client holds one connection to the daemon (over its Unix socket) and multiplexes every call
/// on it: calls may run concurrently from any number of tasks, and each reply is matched to its
/// call by the request `id`, whatever order the daemon answers in.
///
/// Connecting is lazy (the first call connects) or explicit (``connect()``, which reports an
/// unreachable daemon at once). Every connection starts with `hello` naming ``worker``, when one
/// was given. Once connected, the client survives daemon restarts: it reconnects with backoff
/// (``ReconnectBackoff``), re-issues the acquires that were waiting (each grant is delivered once),
/// and resumes subscriptions. Other calls in flight when the connection drops fail with
/// ``TokenGateClientError/connectionLost(operation:reason:)`` rather than being sent twice (a report
/// sent twice would count twice); calls made while the client reconnects wait for the next attempt.
///
/// Call ``close()`` when done; a client that is no longer referenced closes itself.
public final class TokenGateClient: Sendable {
    /// The daemon's socket.
    public let socketPath: String
    /// The worker name sent with `hello` on every connection; without one, the daemon names the
    /// connection `pid-<pid>`.
    public let worker: String?
    let core: ClientCore

    /// A client for the daemon at `socketPath` (default: ``defaultSocketPath()``), naming itself
    /// `worker` (1-64 of `A-Za-z0-9._:-`; an invalid name makes every call fail with
    /// ``TokenGateClientError/invalidArgument(_:)``). Nothing is connected yet.
    public init(socketPath: String? = nil, worker: String? = nil, options: TokenGateClientOptions = .init()) {
        let path = socketPath.flatMap { $0.isEmpty ? nil : $0 } ?? Self.defaultSocketPath()
        self.socketPath = path
        self.worker = worker
        self.core = ClientCore(socketPath: path, worker: worker, options: options)
    }

    deinit {
        core.shutdown()
    }

    /// The contract's socket path when none is given: `$TOKENGATE_SOCKET`, else
    /// `$XDG_RUNTIME_DIR/tokengate.sock`, else `/tmp/tokengate-<uid>/tokengate.sock`.
    public static func defaultSocketPath() -> String {
        var environment: [String: String] = [:]
        for name in ["TOKENGATE_SOCKET", "XDG_RUNTIME_DIR"] {
            if let value = getenv(name) { environment[name] = String(cString: value) }
        }
        return SocketPath.resolve(explicit: nil, environment: environment, uid: getuid())
    }

    /// Connects now, rather than on the first call, and returns once the daemon answered `hello`.
    /// Returns at once when already connected.
    ///
    /// - Throws: ``TokenGateClientError/unreachable(socketPath:reason:)`` when the daemon cannot be
    ///   reached (this attempt is not retried unless the client was connected before);
    ///   ``TokenGateClientError/rejected(code:message:)`` when it refuses `hello`;
    ///   ``TokenGateClientError/closed`` after ``close()``.
    public func connect() async throws {
        try await core.connect()
    }

    /// Whether the client is connected and greeted right now.
    public var isConnected: Bool { core.isConnected }

    /// Closes the connection. Waiting calls fail with ``TokenGateClientError/closed``, subscription
    /// streams finish, and the daemon withdraws this connection's pending acquires and releases its
    /// unsettled grants. Later calls fail with ``TokenGateClientError/closed``.
    public func close() async {
        guard let channel = core.shutdown() else { return }
        try? await channel.closeFuture.get()
    }
}
