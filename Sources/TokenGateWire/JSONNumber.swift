/// A JSON number as it was written.
///
/// The wire protocol cares whether a number was written as an integer literal (`5`) or not (`5.0`,
/// `5e0`): token counts and millisecond fields accept integer literals only. A `JSONNumber` therefore
/// remembers the literal's shape and, for an integer literal that fits in `Int64`, its exact value.
/// Two numbers are equal when they have the same shape and value (`5` differs from `5.0`).
public struct JSONNumber: Sendable, Hashable, CustomStringConvertible {
    private enum Storage: Sendable, Hashable {
        /// An integer literal that fits in `Int64`.
        case integer(Int64)
        /// A number written with a fraction or an exponent.
        case fraction(Double)
        /// An integer literal beyond `Int64`: its exact digits and its nearest `Double`.
        case bigInteger(digits: String, approximation: Double)
    }

    private let storage: Storage

    /// An integer literal.
    public init(_ value: Int64) {
        storage = .integer(value)
    }

    /// An integer literal.
    public init(_ value: Int) {
        storage = .integer(Int64(value))
    }

    /// A number with a fraction or an exponent; it serializes in Swift's shortest round-trip form
    /// (`0.9`, `5.0`, `1e-07`), or as `null` when it is not finite (JSON has no NaN or infinity).
    public init(_ value: Double) {
        storage = .fraction(value)
    }

    /// An integer literal too large for `Int64`: its digits (JSON grammar, optional minus sign)
    /// and its value as a `Double`.
    init(bigIntegerDigits digits: String, value: Double) {
        storage = .bigInteger(digits: digits, approximation: value)
    }

    /// The number as a `Double` (rounded when it has more precision than a `Double` holds; infinite
    /// when a literal such as `1e400` exceeds the `Double` range).
    public var doubleValue: Double {
        switch storage {
        case .integer(let value): return Double(value)
        case .fraction(let value): return value
        case .bigInteger(_, let approximation): return approximation
        }
    }

    /// The exact value of an integer literal that fits in `Int64`; `nil` otherwise.
    public var int64Value: Int64? {
        if case .integer(let value) = storage { return value }
        return nil
    }

    /// The number was written without a fraction or an exponent (`-12`, `0`, `18446744073709551616`).
    public var isIntegerLiteral: Bool {
        if case .fraction = storage { return false }
        return true
    }

    /// The digits of an integer literal too large for `Int64`, kept so that it serializes exactly
    /// and decodes exactly into `UInt64`; `nil` otherwise.
    public var bigIntegerDigits: String? {
        if case .bigInteger(let digits, _) = storage { return digits }
        return nil
    }

    /// The value as `Int64` when it is exactly an integer in range, whatever its literal form
    /// (`5` and `5.0` both give 5). Use `int64Value` to accept integer literals only.
    public var exactInt64: Int64? {
        switch storage {
        case .integer(let value): return value
        case .bigInteger: return nil
        case .fraction(let value):
            guard value.isFinite, value.rounded(.towardZero) == value,
                value >= -9_223_372_036_854_775_808.0, value < 9_223_372_036_854_775_808.0
            else { return nil }
            return Int64(value)
        }
    }

    /// The number as the serializer writes it.
    public var description: String {
        switch storage {
        case .integer(let value): return String(value)
        case .bigInteger(let digits, _): return digits
        case .fraction(let value): return value.isFinite ? value.description : "null"
        }
    }
}
