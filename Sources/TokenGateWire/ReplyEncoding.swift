import TokenGateCore

// Reply lines, as the daemon writes them. Every function returns one compact JSON object in UTF-8
// with its terminating newline.
//
// The id: a reply carries the request's id exactly as received. When the request had no id,
// success replies carry no `id` key at all (there is nothing to echo, and pipelined clients that
// need matching send ids); error replies always carry `"id"`, `null` when the request had none or it
// could not be read (not JSON, or an id that is neither an integer nor a string), because the
// contract's error shape lists `id` and a client that does send ids must see that this error
// answers none of them.
extension Reply {
    /// The `warning` of a report whose ticket the daemon did not know (usage is recorded anyway).
    public static let unknownTicketWarning = "unknown_ticket"
    /// The `event` of a subscription's snapshot line.
    public static let snapshotEvent = "snapshot"

    /// `{"id":…,"ok":true, …fields}`: a success reply with extra fields in the given order. Fields
    /// named `id` or `ok` are the caller's mistake and are written as given.
    public static func encodeOK(id: RequestID?, fields: JSONObject = JSONObject()) -> [UInt8] {
        var writer = startOK(id: id, capacity: 32)
        writer.writeMembers(of: fields, leadingComma: true)
        return finish(&writer)
    }

    /// `{"id":…,"ok":false,"error":"<code>","message":"<text>"}`; `"id":null` when `id` is `nil`.
    public static func encodeError(id: RequestID?, code: WireErrorCode, message: String) -> [UInt8] {
        var writer = JSONWriter(capacity: 64 + message.utf8.count)
        writer.writeRaw("{\"id\":")
        writer.writeID(id)
        writer.writeRaw(",\"ok\":false,\"error\":")
        writer.writeString(code.rawValue)
        writer.writeRaw(",\"message\":")
        writer.writeString(message)
        return finish(&writer)
    }

    /// The grant of an `acquire`: `{"id":…,"ok":true,"ticket":"<ticket>","waited_ms":N}`.
    public static func encodeGrant(id: RequestID?, ticket: String, waitedMs: Int64) -> [UInt8] {
        var writer = startOK(id: id, capacity: 64)
        writer.writeField("ticket", ticket)
        writer.writeField("waited_ms", waitedMs)
        return finish(&writer)
    }

    /// The reply to `report`: `{"id":…,"ok":true}`, plus `"warning":"unknown_ticket"` when the
    /// ticket was not known.
    public static func encodeReported(id: RequestID?, unknownTicket: Bool) -> [UInt8] {
        var writer = startOK(id: id, capacity: 48)
        if unknownTicket { writer.writeField("warning", unknownTicketWarning) }
        return finish(&writer)
    }

    /// The reply to `throttled`: `{"id":…,"ok":true,"cooldown_until_ms":N}`.
    public static func encodeThrottled(id: RequestID?, cooldownUntilMs: Int64) -> [UInt8] {
        var writer = startOK(id: id, capacity: 48)
        writer.writeField("cooldown_until_ms", cooldownUntilMs)
        return finish(&writer)
    }

    /// The reply to `pause` and `resume`: `{"id":…,"ok":true,"state":"<state>"}`.
    public static func encodeState(id: RequestID?, state: GateState) -> [UInt8] {
        var writer = startOK(id: id, capacity: 48)
        writer.writeField("state", state.rawValue)
        return finish(&writer)
    }

    /// Contract v2: the reply to `pause`, `resume` or `set_limit` with `worker`:
    /// `{"id":…,"ok":true,"state":"<the pool default's state>","worker":"<name>","paused":<bool>,"cap":<fraction or null>}`.
    public static func encodeWorkerControl(
        id: RequestID?, state: GateState, worker: String, paused: Bool, cap: Double?
    ) -> [UInt8] {
        var writer = startOK(id: id, capacity: 112)
        writer.writeField("state", state.rawValue)
        writer.writeField("worker", worker)
        writer.writeFieldKey("paused")
        writer.writeRaw(paused ? "true" : "false")
        writer.writeFieldKey("cap")
        if let cap { writer.writeDouble(cap) } else { writer.writeRaw("null") }
        return finish(&writer)
    }

    /// The reply to `hello`: `{"id":…,"ok":true,"v":1,"server":"tokengate/<version>","worker":"<name>"}`.
    public static func encodeHello(id: RequestID?, server: String, worker: String) -> [UInt8] {
        var writer = startOK(id: id, capacity: 96)
        writer.writeField("v", WireLimits.protocolVersion)
        writer.writeField("server", server)
        writer.writeField("worker", worker)
        return finish(&writer)
    }

    /// The reply to `status`: `{"id":…,"ok":true,"status":{…}}`.
    public static func encodeStatus(id: RequestID?, status: EncodedStatus) -> [UInt8] {
        var writer = startOK(id: id, capacity: 32 + status.bytes.count)
        writer.writeFieldKey("status")
        writer.writeRaw(status.bytes)
        return finish(&writer)
    }

    /// The reply to `status`: `{"id":…,"ok":true,"status":{…}}`.
    public static func encodeStatus(id: RequestID?, status: Status) -> [UInt8] {
        encodeStatus(id: id, status: status.encoded())
    }

    /// A subscription's event line: `{"event":"snapshot","status":{…}}` (no id, no ok).
    public static func encodeSnapshotEvent(status: EncodedStatus) -> [UInt8] {
        var writer = JSONWriter(capacity: 32 + status.bytes.count)
        writer.writeRaw("{\"event\":\"snapshot\",\"status\":")
        writer.writeRaw(status.bytes)
        return finish(&writer)
    }

    /// A subscription's event line: `{"event":"snapshot","status":{…}}` (no id, no ok).
    public static func encodeSnapshotEvent(status: Status) -> [UInt8] {
        encodeSnapshotEvent(status: status.encoded())
    }

    /// Starts `{"id":…,"ok":true` (or `{"ok":true` without an id).
    private static func startOK(id: RequestID?, capacity: Int) -> JSONWriter {
        var writer = JSONWriter(capacity: capacity)
        if let id {
            writer.writeRaw("{\"id\":")
            writer.writeID(id)
            writer.writeRaw(",\"ok\":true")
        } else {
            writer.writeRaw("{\"ok\":true")
        }
        return writer
    }

    private static func finish(_ writer: inout JSONWriter) -> [UInt8] {
        writer.writeRaw("}\n")
        return writer.bytes
    }
}
