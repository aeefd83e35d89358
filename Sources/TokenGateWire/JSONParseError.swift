/// Why a byte sequence is not one strict JSON value.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kinds of failure.
    public enum Reason: Sendable, Equatable {
        /// Nothing but whitespace.
        case empty
        /// The text stops inside a value.
        case unexpectedEnd
        /// A byte that cannot start or continue a value here.
        case unexpectedByte(UInt8)
        /// A byte sequence inside a string that is not well-formed UTF-8.
        case invalidUTF8
        /// An unescaped control character (U+0000 to U+001F) inside a string.
        case controlCharacterInString
        /// A backslash followed by something other than `"\/bfnrtu`.
        case invalidEscape
        /// A `\u` escape that is malformed or names a lone surrogate.
        case invalidUnicodeEscape
        /// A number that does not follow JSON's grammar (`01`, `1.`, `-`, `1e`).
        case invalidNumber
        /// Arrays and objects nested deeper than `JSONValue.maxDepth`.
        case tooDeep
        /// More than whitespace after the value.
        case trailingData
    }

    /// What went wrong.
    public let reason: Reason
    /// The offset of the offending byte from the start of the input.
    public let offset: Int

    public init(_ reason: Reason, at offset: Int) {
        self.reason = reason
        self.offset = offset
    }

    public var description: String {
        let what: String
        switch reason {
        case .empty: what = "empty input"
        case .unexpectedEnd: what = "unexpected end of input"
        case .unexpectedByte(let byte):
            if byte >= 0x21, byte < 0x7F {
                what = "unexpected character '\(Character(Unicode.Scalar(byte)))'"
            } else {
                what = "unexpected byte 0x\(String(byte, radix: 16, uppercase: true))"
            }
        case .invalidUTF8: what = "invalid UTF-8"
        case .controlCharacterInString: what = "unescaped control character in string"
        case .invalidEscape: what = "invalid escape sequence"
        case .invalidUnicodeEscape: what = "invalid \\u escape"
        case .invalidNumber: what = "invalid number"
        case .tooDeep: what = "nesting deeper than \(JSONValue.maxDepth)"
        case .trailingData: what = "data after the JSON value"
        }
        return "\(what) at byte \(offset)"
    }
}
