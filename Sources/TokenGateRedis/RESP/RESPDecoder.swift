/// An incremental RESP decoder: bytes go in as they arrive, whole replies come out in order.
///
/// A reply split anywhere across reads is held until it is complete (``next()`` returns nil
/// meanwhile). Every length is checked against ``RESPLimits`` before anything is allocated for it,
/// and an incomplete reply may not grow past ``RESPLimits/maximumReplyBytes``: a peer sending
/// garbage or huge declarations gets a ``RESPDecodingError``, never a crash or unbounded memory.
/// An incomplete reply is parsed again from its start when more bytes arrive, except that a
/// partly received bulk string is waited for until its bytes are all there.
public struct RESPDecoder: Sendable {
    public let limits: RESPLimits
    private var buffer: [UInt8] = []
    private var start = 0
    /// Buffer size below which the pending reply cannot be complete (a bulk string still arriving).
    private var completeAtLeast = 0

    public init(limits: RESPLimits = RESPLimits()) {
        self.limits = limits
    }

    /// Bytes received and not yet returned as replies.
    public var bufferedByteCount: Int { buffer.count - start }

    /// Adds bytes read from the connection.
    public mutating func append(_ bytes: some Sequence<UInt8>) {
        buffer.append(contentsOf: bytes)
    }

    /// The next whole reply, or nil until more bytes arrive.
    public mutating func next() throws(RESPDecodingError) -> RESPValue? {
        guard start < buffer.count, buffer.count >= completeAtLeast else { return nil }
        var cursor = Cursor(bytes: buffer, position: start, limits: limits)
        guard let value = try cursor.value(depth: 0) else {
            completeAtLeast = cursor.completeAtLeast
            if buffer.count - start > limits.maximumReplyBytes {
                throw RESPDecodingError.replyTooLarge(limits.maximumReplyBytes)
            }
            return nil
        }
        start = cursor.position
        completeAtLeast = 0
        compact()
        return value
    }

    private mutating func compact() {
        if start == buffer.count {
            buffer.removeAll(keepingCapacity: buffer.count <= 64 << 10)
            start = 0
        } else if start >= 64 << 10, start * 2 >= buffer.count {
            buffer.removeFirst(start)
            start = 0
        }
    }
}

/// One parse attempt over the buffered bytes.
private struct Cursor {
    let bytes: [UInt8]
    var position: Int
    let limits: RESPLimits
    var completeAtLeast = 0

    /// The value at `position`, nil when the bytes end before it does.
    mutating func value(depth: Int) throws(RESPDecodingError) -> RESPValue? {
        guard position < bytes.count else { return nil }
        let type = bytes[position]
        position += 1
        switch type {
        case UInt8(ascii: "+"), UInt8(ascii: "("):
            return try line().map { .simpleString(String(decoding: $0, as: UTF8.self)) }
        case UInt8(ascii: "-"):
            return try line().map { .error(String(decoding: $0, as: UTF8.self)) }
        case UInt8(ascii: ":"):
            guard let text = try line() else { return nil }
            guard let value = Int64(String(decoding: text, as: UTF8.self)) else {
                throw RESPDecodingError.malformedLine("integer")
            }
            return .integer(value)
        case UInt8(ascii: "$"), UInt8(ascii: "!"), UInt8(ascii: "="):
            guard let body = try bulk() else { return nil }
            guard let body else { return .null }
            if type == UInt8(ascii: "!") { return .error(String(decoding: body, as: UTF8.self)) }
            if type == UInt8(ascii: "="), body.count >= 4, body[3] == UInt8(ascii: ":") {
                return .bulkString(Array(body.dropFirst(4)))
            }
            return .bulkString(body)
        case UInt8(ascii: "*"), UInt8(ascii: "~"), UInt8(ascii: ">"):
            guard let count = try aggregateCount(depth: depth, perEntry: 1) else { return nil }
            guard count >= 0 else { return .null }
            guard let values = try elements(count, depth: depth + 1) else { return nil }
            return type == UInt8(ascii: ">") ? .push(values) : .array(values)
        case UInt8(ascii: "%"), UInt8(ascii: "|"):
            guard let count = try aggregateCount(depth: depth, perEntry: 2) else { return nil }
            guard count >= 0 else { return .null }
            guard let values = try elements(count * 2, depth: depth + 1) else { return nil }
            if type == UInt8(ascii: "|") { return try value(depth: depth + 1) }
            return .map(stride(from: 0, to: values.count, by: 2).map { RESPPair(key: values[$0], value: values[$0 + 1]) })
        case UInt8(ascii: "_"):
            guard let text = try line() else { return nil }
            guard text.isEmpty else { throw RESPDecodingError.malformedLine("null") }
            return .null
        case UInt8(ascii: "#"):
            guard let text = try line() else { return nil }
            switch text {
            case [UInt8(ascii: "t")]: return .boolean(true)
            case [UInt8(ascii: "f")]: return .boolean(false)
            default: throw RESPDecodingError.malformedLine("boolean")
            }
        case UInt8(ascii: ","):
            guard let text = try line() else { return nil }
            guard let value = Double(String(decoding: text, as: UTF8.self)) else {
                throw RESPDecodingError.malformedLine("double")
            }
            return .double(value)
        default:
            throw RESPDecodingError.unknownType(type)
        }
    }

    /// The bytes up to the next CRLF (which is consumed), nil when it has not arrived.
    mutating func line() throws(RESPDecodingError) -> ArraySlice<UInt8>? {
        let end = min(bytes.count, position + limits.maximumLineLength + 2)
        var index = position
        while index + 1 < end {
            if bytes[index] == 13 {
                guard bytes[index + 1] == 10 else { throw RESPDecodingError.malformedLine("line ending") }
                let text = bytes[position..<index]
                position = index + 2
                return text
            }
            index += 1
        }
        if end - position >= limits.maximumLineLength + 2 {
            throw RESPDecodingError.lineTooLong(limits.maximumLineLength)
        }
        return nil
    }

    /// A length line: an integer of -1 or more.
    mutating func length(of what: String) throws(RESPDecodingError) -> Int? {
        guard let text = try line() else { return nil }
        guard text.count <= 20, let value = Int(String(decoding: text, as: UTF8.self)), value >= -1 else {
            throw RESPDecodingError.malformedLine("\(what) length")
        }
        return value
    }

    /// A bulk body: `.some(nil)` for the RESP2 null bulk string, nil when the bytes have not all arrived.
    mutating func bulk() throws(RESPDecodingError) -> [UInt8]?? {
        guard let length = try length(of: "bulk string") else { return nil }
        guard length >= 0 else { return .some(nil) }
        guard length <= limits.maximumBulkLength else { throw RESPDecodingError.bulkTooLong(length) }
        guard bytes.count - position >= length + 2 else {
            completeAtLeast = position + length + 2
            return nil
        }
        guard bytes[position + length] == 13, bytes[position + length + 1] == 10 else {
            throw RESPDecodingError.missingCRLF
        }
        let body = Array(bytes[position..<(position + length)])
        position += length + 2
        return .some(body)
    }

    /// An aggregate's count, checked against the limits (-1 for null).
    mutating func aggregateCount(depth: Int, perEntry: Int) throws(RESPDecodingError) -> Int? {
        guard depth + 1 <= limits.maximumDepth else { throw RESPDecodingError.nestedTooDeep(depth + 1) }
        guard let count = try length(of: "aggregate") else { return nil }
        guard count <= limits.maximumAggregateLength / perEntry else {
            throw RESPDecodingError.aggregateTooLong(count * perEntry)
        }
        return count
    }

    /// `count` values in a row; nil when they have not all arrived. Grows as values are read,
    /// never reserving from the declared count.
    mutating func elements(_ count: Int, depth: Int) throws(RESPDecodingError) -> [RESPValue]? {
        var values: [RESPValue] = []
        for _ in 0..<count {
            guard let element = try value(depth: depth) else { return nil }
            values.append(element)
        }
        return values
    }
}
