/// Why bytes from the server are not RESP the client accepts. The connection that produced them is
/// closed: nothing after a framing error can be trusted.
public enum RESPDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    case unknownType(UInt8)
    case malformedLine(String)
    case missingCRLF
    case bulkTooLong(Int)
    case aggregateTooLong(Int)
    case nestedTooDeep(Int)
    case lineTooLong(Int)
    case replyTooLarge(Int)

    public var description: String {
        switch self {
        case .unknownType(let byte): "RESP: unknown type byte 0x\(String(byte, radix: 16))"
        case .malformedLine(let what): "RESP: malformed \(what)"
        case .missingCRLF: "RESP: a bulk string does not end in CRLF"
        case .bulkTooLong(let length): "RESP: a bulk string of \(length) bytes is over the limit"
        case .aggregateTooLong(let count): "RESP: an aggregate of \(count) elements is over the limit"
        case .nestedTooDeep(let depth): "RESP: aggregates nested \(depth) deep is over the limit"
        case .lineTooLong(let length): "RESP: a line of more than \(length) bytes is over the limit"
        case .replyTooLarge(let bytes): "RESP: an incomplete reply of more than \(bytes) bytes is over the limit"
        }
    }
}
