/// The error codes of the contract; the raw values are what travels in a reply's `error` field.
public enum WireErrorCode: String, Sendable, Hashable, CaseIterable, Codable {
    /// The line is not valid JSON (or not valid UTF-8).
    case badJSON = "bad_json"
    /// A field is missing or invalid, or the line is not a JSON object.
    case badRequest = "bad_request"
    /// `op` names no operation this daemon knows.
    case unknownOp = "unknown_op"
    /// The line exceeds `WireLimits.maxLineBytes`; the daemon closes the connection after replying.
    case lineTooLong = "line_too_long"
    /// The peer may not perform this operation.
    case forbidden
    /// An acquire was not granted within its `timeout_ms`.
    case timeout
    /// The ticket is not (or no longer) known to the daemon.
    case unknownTicket = "unknown_ticket"
    /// The daemon is stopping and takes no new work.
    case shuttingDown = "shutting_down"
}
