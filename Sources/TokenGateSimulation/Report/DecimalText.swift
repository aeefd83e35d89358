import TokenGateCore

/// Number formatting that depends on nothing but the value: no locale, no C `printf`, so a report
/// is the same bytes on every machine.
public enum DecimalText {
    /// `value` with exactly `decimals` digits after the point, rounded half away from zero.
    public static func fixed(_ value: Double, decimals: Int) -> String {
        guard value.isFinite else { return value.isNaN ? "nan" : (value > 0 ? "inf" : "-inf") }
        let digits = max(0, min(decimals, 9))
        var scale: Int64 = 1
        for _ in 0..<digits { scale *= 10 }
        let scaled = (abs(value) * Double(scale)).rounded(.toNearestOrAwayFromZero)
        guard scaled < 9e18 else { return value > 0 ? "inf" : "-inf" }
        let units = Int64(scaled)
        let sign = value < 0 && units != 0 ? "-" : ""
        let whole = String(units / scale)
        guard digits > 0 else { return sign + whole }
        let fraction = String(units % scale)
        return sign + whole + "." + String(repeating: "0", count: digits - fraction.count) + fraction
    }

    /// `value` with up to three decimals and no trailing zeros: 60 -> "60", 2.5 -> "2.5".
    public static func trimmed(_ value: Double) -> String {
        var text = fixed(value, decimals: 3)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }

    /// A share as a percentage with one decimal: 0.9512 -> "95.1%".
    public static func percent(_ share: Double) -> String {
        fixed(share * 100, decimals: 1) + "%"
    }

    /// A duration for people: "0", "250ms", "12.3s", "4m05s", "1h02m".
    public static func duration(_ span: TimeSpan) -> String {
        let nanoseconds = span.nanoseconds
        if nanoseconds <= 0 { return "0" }
        if nanoseconds < 1_000_000_000 { return "\(span.millisecondsRoundedUp)ms" }
        let seconds = span.seconds
        if seconds < 100 { return fixed(seconds, decimals: 1) + "s" }
        let totalSeconds = Int64(seconds.rounded())
        if totalSeconds < 3600 { return "\(totalSeconds / 60)m" + twoDigits(totalSeconds % 60) + "s" }
        let totalMinutes = totalSeconds / 60
        return "\(totalMinutes / 60)h" + twoDigits(totalMinutes % 60) + "m"
    }

    /// Seconds with three decimals, for CSV and JSON.
    public static func seconds(_ span: TimeSpan) -> String { fixed(span.seconds, decimals: 3) }

    private static func twoDigits(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
