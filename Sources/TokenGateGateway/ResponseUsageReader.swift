import NIOCore
import TokenGateWire

/// Reads the usage from a gated response's body as it passes, chunk by chunk: Anthropic's
/// `message_start` / `message_delta` events or JSON `usage`, OpenAI's `usage` (streamed in the
/// last chunk). The bytes pass on unchanged, except that an OpenAI stream's usage-only chunk
/// is removed when the gateway asked for it (`removesUsageChunk`).
struct ResponseUsageReader {
    let kind: UpstreamKind
    let isEventStream: Bool
    let removesUsageChunk: Bool
    private(set) var seen = SeenUsage()
    private var events = ServerSentEvents()
    /// A JSON body's bytes, kept to read its usage at the end (up to `maximumJSONBytes`).
    private var jsonBody: [UInt8] = []
    private var jsonTooLarge = false

    static let maximumJSONBytes = 16 * 1024 * 1024

    init(kind: UpstreamKind, contentType: String?, removesUsageChunk: Bool) {
        self.kind = kind
        self.isEventStream = contentType?.lowercased().hasPrefix("text/event-stream") ?? false
        self.removesUsageChunk = removesUsageChunk && isEventStream
    }

    /// Reads `chunk`; returns what to send the agent (nil: nothing yet).
    mutating func pass(_ chunk: ByteBuffer) -> ByteBuffer? {
        guard isEventStream else {
            if !jsonTooLarge {
                if jsonBody.count + chunk.readableBytes > Self.maximumJSONBytes {
                    jsonTooLarge = true
                    jsonBody = []
                } else {
                    jsonBody.append(contentsOf: chunk.readableBytesView)
                }
            }
            return chunk
        }
        if events.overflowed { return chunk }
        let completed = events.take(chunk)
        guard removesUsageChunk else {
            for event in completed { read(event: event) }
            return chunk
        }
        var forward = ByteBuffer()
        // After an overflow the held bytes come back as the last "event" and are forwarded.
        for event in completed where !read(event: event) { forward.writeBytes(event) }
        return forward.readableBytes > 0 ? forward : nil
    }

    /// The end of the body: reads a JSON body's usage; returns held bytes still to send.
    mutating func finish() -> ByteBuffer? {
        if !isEventStream {
            if !jsonTooLarge, let value = try? JSONValue.parse(jsonBody), let usage = value["usage"], !usage.isNull {
                take(usage)
            }
            jsonBody = []
            return nil
        }
        let rest = events.rest()
        guard !rest.isEmpty else { return nil }
        let dropped = read(event: rest)
        return removesUsageChunk && !dropped ? ByteBuffer(bytes: rest) : nil
    }

    /// Reads one event; returns whether it is the usage-only chunk to remove.
    @discardableResult
    private mutating func read(event: [UInt8]) -> Bool {
        // Most events carry no usage: skip them without copying their data out. (The joined data
        // holds "usage" only if one of its lines does, so the event's own bytes hold it too.)
        guard Self.contains(event, Self.usageKey) else { return false }
        guard let data = ServerSentEvents.data(of: event), data.first == UInt8(ascii: "{"),
            Self.contains(data, Self.usageKey), let value = try? JSONValue.parse(data)
        else { return false }
        switch kind {
        case .anthropic:
            switch value["type"]?.stringValue {
            case "message_start": if let usage = value["message"]?["usage"] { seen.takeAnthropic(usage) }
            case "message_delta": if let usage = value["usage"] { seen.takeAnthropic(usage) }
            default: break
            }
            return false
        case .openai:
            guard let usage = value["usage"], usage.objectValue != nil else { return false }
            seen.takeOpenAI(usage)
            return removesUsageChunk && (value["choices"]?.arrayValue?.isEmpty ?? true)
        }
    }

    private mutating func take(_ usage: JSONValue) {
        switch kind {
        case .anthropic: seen.takeAnthropic(usage)
        case .openai: seen.takeOpenAI(usage)
        }
    }

    private static let usageKey = Array("\"usage\"".utf8)

    private static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard haystack.count >= needle.count, let first = needle.first else { return false }
        var index = 0
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == first, haystack[index..<index + needle.count].elementsEqual(needle) { return true }
            index += 1
        }
        return false
    }
}
