/// One reply from Redis, RESP2 or RESP3.
///
/// RESP3's extra types are read so that a server speaking it never breaks the client: a null of
/// any kind is ``null``, a blob error is ``error``, a verbatim string is ``bulkString`` (its
/// format prefix dropped), a set is ``array``, a big number is ``simpleString``. Attributes are
/// read and dropped.
public enum RESPValue: Sendable, Hashable {
    case simpleString(String)
    case error(String)
    case integer(Int64)
    case bulkString([UInt8])
    case array([RESPValue])
    case null
    case double(Double)
    case boolean(Bool)
    /// A RESP3 map, its pairs in the order received.
    case map([RESPPair])
    /// A RESP3 out-of-band push (not a reply to a command).
    case push([RESPValue])

    /// The value as text: a simple or bulk string (bulk bytes decoded as UTF-8, invalid bytes replaced).
    public var string: String? {
        switch self {
        case .simpleString(let text): text
        case .bulkString(let bytes): String(decoding: bytes, as: UTF8.self)
        default: nil
        }
    }

    /// The value as an integer: an integer, or a string holding one.
    public var int64: Int64? {
        switch self {
        case .integer(let value): value
        case .simpleString, .bulkString: string.flatMap { Int64($0) }
        default: nil
        }
    }

    /// The elements of an array, a set or a push; a map's keys and values in turn.
    public var elements: [RESPValue]? {
        switch self {
        case .array(let values), .push(let values): values
        case .map(let pairs): pairs.flatMap { [$0.key, $0.value] }
        default: nil
        }
    }

    /// The message of an error reply.
    public var errorMessage: String? {
        if case .error(let message) = self { return message }
        return nil
    }
}

/// One key and value of a RESP3 map.
public struct RESPPair: Sendable, Hashable {
    public var key: RESPValue
    public var value: RESPValue

    public init(key: RESPValue, value: RESPValue) {
        self.key = key
        self.value = value
    }
}
