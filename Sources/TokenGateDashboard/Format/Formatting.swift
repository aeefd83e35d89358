/// Number and duration formatting for narrow columns. Locale-independent and deterministic, so
/// text snapshots are stable everywhere.
public enum Format {
    /// A token count in at most 6 columns: `999`, `84.0k`, `1.21M`, `3.40G`.
    public static func tokens(_ value: Int64) -> String {
        let sign = value < 0 ? "-" : ""
        let magnitude = value.magnitude
        if magnitude < 1_000 { return sign + String(magnitude) }
        if magnitude < 999_950 { return sign + decimal(magnitude, unit: 1_000, places: 1) + "k" }
        if magnitude < 999_995_000 { return sign + decimal(magnitude, unit: 1_000_000, places: 2) + "M" }
        return sign + decimal(magnitude, unit: 1_000_000_000, places: 2) + "G"
    }

    /// A plain count with thousands separators: `1,800,000`.
    public static func grouped(_ value: Int64) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return (value < 0 ? "-" : "") + out
    }

    /// A fraction as a whole percentage: `0.9` -> `90%`, `0.125` -> `13%`.
    public static func percent(_ fraction: Double) -> String {
        guard fraction.isFinite else { return "-" }
        return String(Int((fraction * 100).rounded())) + "%"
    }

    /// A fraction as a percentage with one decimal below 10 %: `4.2%`, `42%`.
    public static func share(_ fraction: Double) -> String {
        guard fraction.isFinite else { return "-" }
        let tenths = Int((fraction * 1000).rounded())
        if tenths < 100 { return "\(tenths / 10).\(tenths % 10)%" }
        return String(Int((fraction * 100).rounded())) + "%"
    }

    /// A short age or remaining time: `now` under one second when `nowBelowOneSecond`, else `12s`,
    /// `4m05s`, `2h03m`, `3d04h`.
    public static func age(milliseconds ms: Int64, nowBelowOneSecond: Bool = true) -> String {
        if ms < 1_000 && nowBelowOneSecond { return "now" }
        return duration(seconds: max(0, ms) / 1_000)
    }

    /// Whole seconds as `12s`, `4m05s`, `2h03m`, `3d04h`.
    public static func duration(seconds: Int64) -> String {
        let s = max(0, seconds)
        if s < 60 { return "\(s)s" }
        if s < 3_600 { return "\(s / 60)m" + twoDigits(s % 60) + "s" }
        if s < 86_400 { return "\(s / 3_600)h" + twoDigits((s / 60) % 60) + "m" }
        return "\(s / 86_400)d" + twoDigits((s / 3_600) % 24) + "h"
    }

    /// A window length: `60s`, `2.5s`, `5m`, `90s` stays `90s`.
    public static func window(milliseconds ms: Int64) -> String {
        if ms % 1_000 != 0 { return decimal(UInt64(max(0, ms)), unit: 1_000, places: 1) + "s" }
        let s = ms / 1_000
        if s >= 120, s % 60 == 0 { return "\(s / 60)m" }
        return "\(s)s"
    }

    /// A countdown in seconds rounded up, with one decimal under ten seconds: `9.5s`, `12s`.
    public static func countdown(milliseconds ms: Int64) -> String {
        let ms = max(0, ms)
        if ms < 10_000 {
            let tenths = (ms + 99) / 100
            return "\(tenths / 10).\(tenths % 10)s"
        }
        return duration(seconds: (ms + 999) / 1_000)
    }

    /// A rate per second in at most 5 columns: `0`, `0.25`, `3.20`, `12.5`, `340`, `12.3k`.
    public static func rate(_ perSecond: Double) -> String {
        guard perSecond.isFinite, perSecond > 0 else { return "0" }
        let hundredths = UInt64((perSecond * 100).rounded())
        if hundredths < 1_000 { return decimal(hundredths, unit: 100, places: 2) }
        if hundredths < 10_000 { return decimal(hundredths, unit: 100, places: 1) }
        if hundredths < 100_000 { return decimal(hundredths, unit: 100, places: 0) }
        return tokens(Int64(perSecond.rounded()))
    }

    /// A queueing time: `0ms`, `850ms`, `1.2s`, `12s`, `4m05s`.
    public static func wait(milliseconds ms: Int64) -> String {
        let ms = max(0, ms)
        if ms < 1_000 { return "\(ms)ms" }
        if ms < 10_000 { return decimal(UInt64(ms), unit: 1_000, places: 1) + "s" }
        return duration(seconds: (ms + 500) / 1_000)
    }

    static func twoDigits(_ value: Int64) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }

    /// `value / unit` rounded half up to `places` decimals.
    static func decimal(_ value: UInt64, unit: UInt64, places: Int) -> String {
        var scale: UInt64 = 1
        for _ in 0..<places { scale *= 10 }
        let scaled = (value * scale + unit / 2) / unit
        let whole = scaled / scale
        guard places > 0 else { return String(whole) }
        var fraction = String(scaled % scale)
        while fraction.count < places { fraction = "0" + fraction }
        return "\(whole).\(fraction)"
    }
}
