import TokenGateWire

/// What the gateway reads from a gated request's JSON body.
struct RequestBody {
    /// The body's `model`, which picks the pool.
    var model: String?
    /// The most output the request may produce: `max_tokens` (or OpenAI's
    /// `max_completion_tokens`), else `defaultMaxTokens`.
    var maxTokens: Int64
    /// Whether the request asks for a stream (`"stream": true`).
    var stream: Bool
    /// The bytes to forward: the body as the agent sent it, or (OpenAI streams without
    /// `stream_options.include_usage`) with it added.
    var forwardBytes: [UInt8]
    /// Whether the gateway asked for the usage chunk the agent did not ask for, and must remove it.
    var addedUsageChunk: Bool

    /// Output allowance when a body names none (OpenAI makes `max_tokens` optional).
    static let defaultMaxTokens: Int64 = 4096

    /// Why a body cannot be gated.
    struct Invalid: Error {
        let message: String
    }

    /// Reads `bytes`; throws when they are not a JSON object or its fields have the wrong type.
    init(bytes: [UInt8], kind: UpstreamKind) throws(Invalid) {
        let value: JSONValue
        do {
            value = try JSONValue.parse(bytes)
        } catch {
            throw Invalid(message: "the request body is not valid JSON: \(error)")
        }
        guard let object = value.objectValue else { throw Invalid(message: "the request body is not a JSON object") }
        if let model = object["model"], !model.isNull {
            guard let text = model.stringValue else { throw Invalid(message: "\"model\" must be a string") }
            self.model = text
        }
        let limitField = object["max_completion_tokens"].flatMap { $0.isNull ? nil : $0 } ?? object["max_tokens"]
        if let limit = limitField, !limit.isNull {
            guard let count = limit.int64Value, count >= 0, count <= WireLimits.maxCount else {
                throw Invalid(message: "\"max_tokens\" must be a non-negative integer")
            }
            maxTokens = count
        } else {
            maxTokens = Self.defaultMaxTokens
        }
        stream = object["stream"]?.boolValue ?? false
        forwardBytes = bytes
        addedUsageChunk = false
        if kind == .openai, stream {
            addUsageChunkRequest(to: object)
        }
    }

    /// Adds `stream_options.include_usage: true` when the body does not say either way.
    private mutating func addUsageChunkRequest(to object: JSONObject) {
        let options = object["stream_options"]
        if options == nil || options?.isNull == true {
            var rebuilt = JSONObject()
            for member in object where member.key != "stream_options" { rebuilt.append(member.key, member.value) }
            rebuilt.append("stream_options", ["include_usage": true])
            forwardBytes = JSONValue.object(rebuilt).serialized()
            addedUsageChunk = true
        } else if var optionsObject = options?.objectValue, optionsObject["include_usage"] == nil {
            optionsObject.append("include_usage", true)
            var rebuilt = JSONObject()
            for member in object {
                rebuilt.append(member.key, member.key == "stream_options" ? .object(optionsObject) : member.value)
            }
            forwardBytes = JSONValue.object(rebuilt).serialized()
            addedUsageChunk = true
        }
    }
}
