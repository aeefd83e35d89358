import TokenGateCore

/// What a provider's response headers say about its rate limits: Anthropic's
/// `anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-{limit,remaining,reset}`,
/// OpenAI's `x-ratelimit-{limit,remaining,reset}-{requests,tokens}` (its resets are durations such
/// as `6m0s`, `1s` or `20ms` from the response) and `retry-after`. Malformed values are ignored;
/// other headers are ignored.
public struct ProviderHeaders: Sendable, Equatable {
    /// One budget's figures.
    public struct Reading: Sendable, Equatable {
        public var budget: BudgetKind
        public var limit: Int64?
        public var remaining: Int64?
        /// The reset instant in milliseconds since the Unix epoch.
        public var resetEpochMs: Int64?

        public init(budget: BudgetKind, limit: Int64? = nil, remaining: Int64? = nil, resetEpochMs: Int64? = nil) {
            self.budget = budget
            self.limit = limit
            self.remaining = remaining
            self.resetEpochMs = resetEpochMs
        }
    }

    /// Readings by budget, in the order tokens, input, output, requests.
    public var readings: [Reading]
    /// `retry-after` in milliseconds (the header counts seconds).
    public var retryAfterMs: Int64?

    /// Reads the headers; names compare case-insensitively. `nowEpochMs` (milliseconds since the
    /// Unix epoch) anchors OpenAI's reset durations; without it they are ignored.
    public init(headers: [String: String], nowEpochMs: Int64? = nil) {
        var byBudget: [BudgetKind: Reading] = [:]
        var retryAfterMs: Int64?
        for (rawName, rawValue) in headers {
            let name = rawName.lowercased()
            let value = rawValue.trimmingASCIIWhitespace()
            if name == "retry-after" {
                retryAfterMs = Self.seconds(value).map { Int64(($0 * 1000).rounded(.up)) }
                continue
            }
            if let (budget, field) = Self.parseName(name) {
                var reading = byBudget[budget] ?? Reading(budget: budget)
                switch field {
                case "limit": reading.limit = Self.count(value)
                case "remaining": reading.remaining = Self.count(value)
                case "reset": reading.resetEpochMs = RFC3339.epochMilliseconds(value)
                default: continue
                }
                byBudget[budget] = reading
            } else if let (budget, field) = Self.parseOpenAIName(name) {
                var reading = byBudget[budget] ?? Reading(budget: budget)
                switch field {
                case "limit": reading.limit = Self.count(value)
                case "remaining": reading.remaining = Self.count(value)
                case "reset":
                    guard let nowEpochMs, let after = GoDuration.milliseconds(value) else { continue }
                    reading.resetEpochMs = nowEpochMs + after
                default: continue
                }
                byBudget[budget] = reading
            }
        }
        self.readings = [BudgetKind.tokens, .input, .output, .requests].compactMap { byBudget[$0] }
            .filter { $0.limit != nil || $0.remaining != nil || $0.resetEpochMs != nil }
        self.retryAfterMs = retryAfterMs
    }

    private static let prefix = "anthropic-ratelimit-"

    private static func parseName(_ name: String) -> (BudgetKind, String)? {
        guard name.hasPrefix(prefix) else { return nil }
        let rest = name.dropFirst(prefix.count)
        guard let dash = rest.lastIndex(of: "-") else { return nil }
        let field = String(rest[rest.index(after: dash)...])
        switch rest[..<dash] {
        case "requests": return (.requests, field)
        case "tokens": return (.tokens, field)
        case "input-tokens": return (.input, field)
        case "output-tokens": return (.output, field)
        default: return nil
        }
    }

    private static let openAIPrefix = "x-ratelimit-"

    /// OpenAI's `x-ratelimit-{limit,remaining,reset}-{requests,tokens}`.
    private static func parseOpenAIName(_ name: String) -> (BudgetKind, String)? {
        guard name.hasPrefix(openAIPrefix) else { return nil }
        let rest = name.dropFirst(openAIPrefix.count)
        guard let dash = rest.firstIndex(of: "-") else { return nil }
        let field = String(rest[..<dash])
        switch rest[rest.index(after: dash)...] {
        case "requests": return (.requests, field)
        case "tokens": return (.tokens, field)
        default: return nil
        }
    }

    private static func count(_ text: Substring) -> Int64? {
        guard !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int64(text),
            value <= WireLimits.maxCount
        else { return nil }
        return value
    }

    private static func seconds(_ text: Substring) -> Double? {
        guard let value = Double(text), value.isFinite, value >= 0, value < 1e9 else { return nil }
        return value
    }
}

extension String {
    fileprivate func trimmingASCIIWhitespace() -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return self[first...last]
    }
}

/// RFC 3339 timestamps (`2026-11-29T04:15:00Z`, `2026-11-29T04:15:00.250+01:00`).
public enum RFC3339 {
    /// Milliseconds since the Unix epoch, or nil when `text` is not an RFC 3339 date-time.
    public static func epochMilliseconds(_ text: Substring) -> Int64? {
        let bytes = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int64? {
            guard range.upperBound <= bytes.count else { return nil }
            var value: Int64 = 0
            for byte in bytes[range] {
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int64(byte - 48)
            }
            return value
        }
        guard bytes.count >= 20, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
            bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t") || bytes[10] == UInt8(ascii: " "),
            bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
            let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second <= 60
        else { return nil }
        var index = 19
        var millis: Int64 = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            var digits = 0
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                if digits < 3 { millis = millis * 10 + Int64(bytes[index] - 48) }
                digits += 1
                index += 1
            }
            guard digits > 0 else { return nil }
            if digits < 3 { for _ in digits..<3 { millis *= 10 } }
        }
        guard index < bytes.count else { return nil }
        var offsetSeconds: Int64 = 0
        switch bytes[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            guard index + 1 == bytes.count else { return nil }
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard index + 6 == bytes.count, bytes[index + 3] == UInt8(ascii: ":"),
                let hours = number(index + 1..<index + 3), let minutes = number(index + 4..<index + 6), hours < 24,
                minutes < 60
            else { return nil }
            offsetSeconds = (hours * 3600 + minutes * 60) * (bytes[index] == UInt8(ascii: "+") ? 1 : -1)
        default:
            return nil
        }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        return seconds * 1000 + millis
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
