import TokenGateWire

/// Why a ``TokenGateClient`` call failed.
public enum TokenGateClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The daemon could not be reached on `socketPath` (nothing listening, no such file, no
    /// permission). The CLI exits with code 3.
    case unreachable(socketPath: String, reason: String)
    /// The connection to the daemon was lost while this request waited for its reply. The request
    /// may or may not have been applied, so it is not sent again (acquires, which are safe to repeat,
    /// are re-issued instead). The CLI exits with code 3.
    case connectionLost(operation: String, reason: String)
    /// An acquire was not granted within its timeout (the daemon's `timeout` error). The CLI exits
    /// with code 4.
    case timedOut(message: String)
    /// The daemon refused the request with one of the contract's error codes (`bad_request`,
    /// `forbidden`, `shutting_down`, `unknown_ticket`, ...).
    case rejected(code: WireErrorCode, message: String)
    /// An argument is invalid before anything was sent (an invalid worker name, a `set_limit` with
    /// nothing to set).
    case invalidArgument(String)
    /// The daemon sent something that is not the protocol; the connection was dropped.
    case protocolViolation(String)
    /// The client was closed.
    case closed

    /// The contract's error code for this failure: the daemon's code for ``rejected(code:message:)``,
    /// `timeout` for ``timedOut(message:)``, `nil` for failures that happened on this side.
    public var code: WireErrorCode? {
        switch self {
        case .rejected(let code, _): return code
        case .timedOut: return .timeout
        default: return nil
        }
    }

    /// A one-line explanation for people.
    public var message: String {
        switch self {
        case .unreachable(let path, let reason):
            return "daemon not reachable at \(path): \(reason)"
        case .connectionLost(let operation, let reason):
            return "lost the connection to the daemon before the reply to `\(operation)` arrived (\(reason))"
        case .timedOut(let message):
            return message.isEmpty ? "timed out waiting for a grant" : message
        case .rejected(let code, let message):
            return message.isEmpty ? code.rawValue : "\(code.rawValue): \(message)"
        case .invalidArgument(let message):
            return message
        case .protocolViolation(let message):
            return "protocol violation: \(message)"
        case .closed:
            return "the client is closed"
        }
    }

    /// Whether the daemon could not be reached or went away (the CLI's exit code 3).
    public var isUnreachable: Bool {
        switch self {
        case .unreachable, .connectionLost: return true
        case .rejected(.shuttingDown, _): return true
        default: return false
        }
    }

    /// The same as ``message``.
    public var description: String { message }
}
