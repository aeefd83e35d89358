/// A request's `id`: an integer or a string, chosen by the client and echoed back unchanged in the
/// reply so that replies arriving out of order can be matched to their requests.
///
/// Integer ids must be integer literals that fit in `Int64` (`7`, `-3`; not `7.0` or `1e3`); they
/// are written back in decimal, which is exactly how they were received.
public enum RequestID: Sendable, Hashable, CustomStringConvertible {
    case integer(Int64)
    case string(String)

    /// The id held by a JSON value; `nil` when the value is neither an integer literal fitting in
    /// `Int64` nor a string.
    public init?(_ value: JSONValue) {
        switch value {
        case .string(let text): self = .string(text)
        case .number(let number):
            guard let integer = number.int64Value else { return nil }
            self = .integer(integer)
        default: return nil
        }
    }

    /// The id as a JSON value.
    public var jsonValue: JSONValue {
        switch self {
        case .integer(let value): return .integer(value)
        case .string(let text): return .string(text)
        }
    }

    public var description: String {
        switch self {
        case .integer(let value): return String(value)
        case .string(let text): return text
        }
    }
}

extension RequestID: ExpressibleByIntegerLiteral, ExpressibleByStringLiteral {
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(stringLiteral value: String) { self = .string(value) }
}

extension JSONWriter {
    /// Appends an id, or `null` when there is none.
    public mutating func writeID(_ id: RequestID?) {
        switch id {
        case .integer(let value): writeInteger(value)
        case .string(let text): writeString(text)
        case nil: writeRaw("null")
        }
    }
}
