/// The range of a token count on the wire and in the core: 0 ... 2^53-1, exact in a JSON number.
public enum TokenCount {
    /// 2^53 - 1, the largest integer a JSON number carries exactly.
    public static let maximum: Int64 = 9_007_199_254_740_991

    /// Returns `value` when it is a valid count, or throws naming `field`.
    public static func validated(_ value: Int64, field: String) throws(CountError) -> Int64 {
        if value < 0 { throw .negative(field: field, value: value) }
        if value > maximum { throw .tooLarge(field: field, value: value) }
        return value
    }
}

/// A count outside 0 ... 2^53-1. The gate refuses it and changes nothing.
public enum CountError: Error, Equatable, Sendable, CustomStringConvertible {
    case negative(field: String, value: Int64)
    case tooLarge(field: String, value: Int64)

    public var description: String {
        switch self {
        case .negative(let field, let value): "\(field) must not be negative (got \(value))"
        case .tooLarge(let field, let value): "\(field) must be at most \(TokenCount.maximum) (got \(value))"
        }
    }
}
