/// How evenly something was shared: each value over the values' mean.
public enum RelativeSpread {
    /// Each value over the mean (all 0 when the mean is 0).
    public static func shares(_ values: [Double]) -> [Double] {
        guard !values.isEmpty else { return [] }
        let mean = values.reduce(0, +) / Double(values.count)
        return values.map { mean > 0 ? $0 / mean : 0 }
    }

    /// The largest relative deviation of a value from the mean: max |value / mean - 1|.
    public static func maxDeviation(_ values: [Double]) -> Double {
        shares(values).map { abs($0 - 1) }.max() ?? 0
    }
}
