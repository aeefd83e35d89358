/// Durations as Go prints them, which OpenAI's `x-ratelimit-reset-*` headers use: a sequence of
/// decimal numbers each with a unit, `h`, `m`, `s`, `ms`, `us` (or `µs`) or `ns`: `6m0s`, `1s`,
/// `20ms`, `1h2m3.5s`, `0s`.
public enum GoDuration {
    /// The duration in milliseconds, rounded up; nil when `text` is not such a duration or is
    /// longer than a year.
    public static func milliseconds(_ text: Substring) -> Int64? {
        let scalars = Array(text.unicodeScalars)
        guard !scalars.isEmpty else { return nil }
        var index = 0
        var totalNanoseconds: Double = 0
        while index < scalars.count {
            let numberStart = index
            while index < scalars.count, scalars[index] == "." || ("0"..."9").contains(scalars[index]) { index += 1 }
            guard index > numberStart,
                let value = Double(String(String.UnicodeScalarView(scalars[numberStart..<index])))
            else { return nil }
            let unitStart = index
            while index < scalars.count, !(scalars[index] == "." || ("0"..."9").contains(scalars[index])) { index += 1 }
            let unit = String(String.UnicodeScalarView(scalars[unitStart..<index]))
            guard let nanosecondsPerUnit = units[unit] else { return nil }
            totalNanoseconds += value * nanosecondsPerUnit
        }
        guard totalNanoseconds.isFinite, totalNanoseconds <= 366 * 86_400 * 1e9 else { return nil }
        return Int64((totalNanoseconds / 1e6).rounded(.up))
    }

    private static let units: [String: Double] = [
        "h": 3600e9, "m": 60e9, "s": 1e9, "ms": 1e6, "us": 1e3, "µs": 1e3, "μs": 1e3, "ns": 1,
    ]
}
