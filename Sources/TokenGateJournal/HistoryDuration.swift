import Foundation

/// A duration as `tokengate history --since` takes it: a number and a unit (`ms`, `s`, `m`, `h`,
/// `d`), or several in a row (`1h30m`).
public enum HistoryDuration {
    /// The duration in milliseconds, or nil when the text is not one.
    public static func milliseconds(_ text: String) -> Int64? {
        var total: Double = 0
        var rest = Substring(text.trimmingCharacters(in: .whitespaces))
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !number.isEmpty, let value = Double(number), value.isFinite else { return nil }
            rest = rest.dropFirst(number.count)
            let unit = rest.prefix { $0.isASCII && $0.isLetter }
            guard let scale = scales[String(unit)] else { return nil }
            rest = rest.dropFirst(unit.count)
            total += value * scale
        }
        guard total > 0, total < 1e15 else { return nil }
        return Int64(total.rounded(.up))
    }

    /// What a bad duration's error message says.
    public static let expected = "a number and a unit, such as 90s, 15m, 1h or 2d"

    private static let scales: [String: Double] = [
        "ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000,
    ]
}
