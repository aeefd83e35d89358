/// Why a command to Redis got no reply.
public enum RedisError: Error, Sendable, Hashable, CustomStringConvertible {
    /// There is no connection now (the client reconnects in the background).
    case unreachable(String)
    /// The connection closed before the reply came; the command may or may not have run.
    case connectionClosed
    /// No reply within the timeout; the connection was closed (the command may have run).
    case timedOut
    /// The server sent bytes that are not RESP the client accepts; the connection was closed.
    case protocolViolation(RESPDecodingError)
    /// The server answered with an error reply.
    case server(String)
    /// The reply had another shape than the command's.
    case unexpectedReply(String)

    public var description: String {
        switch self {
        case .unreachable(let why): "Redis unreachable: \(why)"
        case .connectionClosed: "the Redis connection closed before the reply"
        case .timedOut: "Redis did not answer in time"
        case .protocolViolation(let error): error.description
        case .server(let message): "Redis: \(message)"
        case .unexpectedReply(let what): "unexpected reply from Redis: \(what)"
        }
    }
}
