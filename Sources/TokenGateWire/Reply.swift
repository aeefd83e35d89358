import TokenGateCore

/// One line from the daemon, as a client reads it: a reply to a request, or an event line of a
/// subscription (`{"event":"snapshot","status":{…}}`).
///
/// `Reply.decode(line:)` checks the envelope (`id`, `ok`, `event`) and decodes a `status` object when
/// there is one; the other fields stay in `fields` and are read through the typed accessors, which
/// return `nil` when a field is absent or of another type. The daemon's side writes replies with
/// the `Reply.encode…` functions.
public struct Reply: Sendable, Equatable {
    /// The id of the request this answers; `nil` when the line has none (or `null`), always `nil`
    /// for event lines.
    public var id: RequestID?
    /// Whether the request succeeded. Event lines have no `ok` on the wire and report `true` here:
    /// they are not failures. Route on `event` first.
    public var ok: Bool
    /// The event kind of an event line (`"snapshot"`); `nil` for replies.
    public var event: String?
    /// The Status object of a `status` reply or a snapshot event.
    public var status: Status?
    /// Every member of the line, the envelope included.
    public var fields: JSONObject

    public init(id: RequestID?, ok: Bool, event: String? = nil, status: Status? = nil, fields: JSONObject) {
        self.id = id
        self.ok = ok
        self.event = event
        self.status = status
        self.fields = fields
    }

    /// Whether this is a subscription's snapshot event.
    public var isSnapshotEvent: Bool { event == Reply.snapshotEvent }

    /// The `error` string of a failure reply, as sent (it may be a code newer than this client).
    public var errorCodeText: String? { fields["error"]?.stringValue }
    /// The `error` of a failure reply, when it is one of the contract's codes.
    public var error: WireErrorCode? { errorCodeText.flatMap(WireErrorCode.init(rawValue:)) }
    /// The human-readable `message` of a failure reply.
    public var message: String? { fields["message"]?.stringValue }
    /// The `ticket` of an acquire grant (an integer ticket is given as its decimal text).
    public var ticket: String? {
        switch fields["ticket"] {
        case .string(let text): return text
        case .number(let number): return number.int64Value.map { String($0) }
        default: return nil
        }
    }
    /// The `waited_ms` of an acquire grant.
    public var waitedMs: Int64? { fields["waited_ms"]?.int64Value }
    /// The `state` of a pause or resume reply.
    public var state: GateState? { fields["state"]?.stringValue.flatMap(GateState.init(rawValue:)) }
    /// Contract v2: whether the worker is paused, in the reply to a worker's pause, resume or cap.
    public var paused: Bool? {
        if case .bool(let flag) = fields["paused"] { return flag }
        return nil
    }
    /// Contract v2: the worker's cap in the reply to a worker's pause, resume or cap; nil when it
    /// has none.
    public var cap: Double? {
        if case .number(let number) = fields["cap"] { return number.doubleValue }
        return nil
    }
    /// The `warning` of a report reply (`"unknown_ticket"`).
    public var warning: String? { fields["warning"]?.stringValue }
    /// Whether a report reply warns that the ticket was unknown.
    public var hasUnknownTicketWarning: Bool { warning == Reply.unknownTicketWarning }
    /// The `cooldown_until_ms` of a throttled reply.
    public var cooldownUntilMs: Int64? { fields["cooldown_until_ms"]?.int64Value }
    /// The protocol version `v` of a hello reply.
    public var version: Int64? { fields["v"]?.int64Value }
    /// The `server` of a hello reply (`tokengate/<version>`).
    public var server: String? { fields["server"]?.stringValue }
    /// The `worker` of a hello reply.
    public var worker: String? { fields["worker"]?.stringValue }

    /// The failure this reply reports; `nil` for successes and event lines. An `error` string this
    /// client does not know (from a newer daemon) is reported as `bad_request`, with the string
    /// prefixed to the message so that nothing is lost.
    public var failure: WireFailure? {
        guard !ok, event == nil else { return nil }
        let text = message ?? ""
        if let code = error { return WireFailure(id: id, code: code, message: text) }
        return WireFailure(id: id, code: .badRequest, message: "\(errorCodeText ?? "unspecified error"): \(text)")
    }
}

/// Why a line from the daemon could not be read as a reply or an event.
public struct ReplyDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}

extension Reply {
    /// Decodes one line from the daemon (with or without its newline). The line must be a JSON
    /// object with either a boolean `ok` (a reply) or a string `event` (an event line); an `id`, when
    /// present and not `null`, must be an integer or a string; a `status` member must be a valid
    /// Status object. No length limit is applied here: a Status with many workers can be long.
    public static func decode(line: UnsafeRawBufferPointer) -> Result<Reply, ReplyDecodingError> {
        do {
            return decode(json: try JSONValue.parse(line))
        } catch {
            return .failure(ReplyDecodingError("reply is not valid JSON: \(error)"))
        }
    }

    /// Decodes one line from the daemon; see `decode(line: UnsafeRawBufferPointer)`.
    public static func decode(line: [UInt8]) -> Result<Reply, ReplyDecodingError> {
        line.withUnsafeBytes { decode(line: $0) }
    }

    /// Decodes one line from the daemon; see `decode(line: UnsafeRawBufferPointer)`.
    public static func decode(line: some Collection<UInt8>) -> Result<Reply, ReplyDecodingError> {
        let contiguous = line.withContiguousStorageIfAvailable { decode(line: UnsafeRawBufferPointer($0)) }
        return contiguous ?? decode(line: Array(line))
    }

    /// Decodes one line from the daemon given as text; see `decode(line: UnsafeRawBufferPointer)`.
    public static func decode(line: String) -> Result<Reply, ReplyDecodingError> {
        var line = line
        return line.withUTF8 { decode(line: UnsafeRawBufferPointer($0)) }
    }

    /// Decodes a reply or event from an already parsed JSON value.
    public static func decode(json: JSONValue) -> Result<Reply, ReplyDecodingError> {
        guard case .object(let object) = json else {
            return .failure(ReplyDecodingError("reply must be a JSON object, got \(json.briefDescription)"))
        }
        var status: Status?
        if let statusValue = object["status"] {
            do {
                status = try Status(json: statusValue)
            } catch {
                return .failure(ReplyDecodingError(error.description))
            }
        }
        if let eventValue = object["event"] {
            guard case .string(let event) = eventValue else {
                return .failure(ReplyDecodingError("\"event\" must be a string, got \(eventValue.briefDescription)"))
            }
            return .success(Reply(id: nil, ok: true, event: event, status: status, fields: object))
        }
        guard case .bool(let ok) = object["ok"] else {
            return .failure(ReplyDecodingError("reply has neither a boolean \"ok\" nor an \"event\""))
        }
        var id: RequestID?
        if let idValue = object["id"], !idValue.isNull {
            guard let valid = RequestID(idValue) else {
                return .failure(
                    ReplyDecodingError("\"id\" must be an integer or a string, got \(idValue.briefDescription)"))
            }
            id = valid
        }
        return .success(Reply(id: id, ok: ok, status: status, fields: object))
    }
}
