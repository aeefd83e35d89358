/// Exact percentiles of a set of latency samples (sorted once; no histogram approximation).
struct LatencySummary: Sendable {
    let count: Int
    let p50Ns: Int64
    let p99Ns: Int64
    let p999Ns: Int64
    let maxNs: Int64

    /// The summary of `samples` (nanoseconds); all zeros when there are none.
    init(samples: [Int64]) {
        let sorted = samples.sorted()
        count = sorted.count
        func rank(_ quantile: Double) -> Int64 {
            guard !sorted.isEmpty else { return 0 }
            // The nearest-rank definition: the smallest sample with at least `quantile` of them at or below it.
            let index = Int((quantile * Double(sorted.count)).rounded(.up)) - 1
            return sorted[min(max(index, 0), sorted.count - 1)]
        }
        p50Ns = rank(0.50)
        p99Ns = rank(0.99)
        p999Ns = rank(0.999)
        maxNs = sorted.last ?? 0
    }
}

/// `1.23 ms`, `456 µs`: a duration in nanoseconds, readable.
func formatLatency(_ nanoseconds: Int64) -> String {
    let microseconds = Double(nanoseconds) / 1_000
    if microseconds < 1_000 { return "\(Int(microseconds.rounded())) µs" }
    return formatDecimal(microseconds / 1_000, places: 2) + " ms"
}

/// `x` with `places` decimals.
func formatDecimal(_ x: Double, places: Int) -> String {
    var scale = 1.0
    for _ in 0..<places { scale *= 10 }
    let scaled = (x * scale).rounded()
    let whole = Int(scaled / scale)
    guard places > 0 else { return String(whole) }
    let fraction = Int(abs(scaled) - abs(Double(whole)) * scale)
    let digits = String(fraction)
    return "\(x < 0 && whole == 0 ? "-" : "")\(whole)." + String(repeating: "0", count: places - digits.count) + digits
}

/// `52,340`: an integer with thousands separators.
func formatCount(_ value: Int) -> String {
    let digits = String(abs(value))
    var out = ""
    for (offset, character) in digits.enumerated() {
        if offset > 0 && (digits.count - offset) % 3 == 0 { out.append(",") }
        out.append(character)
    }
    return value < 0 ? "-" + out : out
}
