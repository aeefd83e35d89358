/// Exact `a x b (+ c) / d` on non-negative 64-bit values through a 128-bit intermediate, for the
/// token bucket's refill: `limit x elapsed nanoseconds` overflows 64 bits for large limits.
enum FullWidthArithmetic {
    /// `(a x b + c) / d` and its remainder, for non-negative a, b, c and positive d, when the
    /// quotient fits in 64 bits (the caller guarantees it).
    static func multiplyAddDivide(_ a: Int64, _ b: Int64, plus c: Int64 = 0, by d: Int64)
        -> (quotient: Int64, remainder: Int64)
    {
        let product = UInt64(a).multipliedFullWidth(by: UInt64(b))
        var high = product.high
        let (low, carry) = product.low.addingReportingOverflow(UInt64(c))
        if carry { high &+= 1 }
        let divided = UInt64(d).dividingFullWidth((high: high, low: low))
        return (Int64(divided.quotient), Int64(divided.remainder))
    }

    /// `ceil((a x b + c) / d)`, under the same conditions.
    static func multiplyAddDivideRoundingUp(_ a: Int64, _ b: Int64, plus c: Int64 = 0, by d: Int64) -> Int64 {
        let (quotient, remainder) = multiplyAddDivide(a, b, plus: c, by: d)
        return remainder > 0 ? quotient + 1 : quotient
    }
}
