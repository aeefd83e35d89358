import TokenGateCore
import TokenGateWire

/// The usage a response has shown so far; fields stay nil until a response carries them.
struct SeenUsage: Equatable {
    var input: Int64?
    var output: Int64?
    var cacheCreation: Int64?
    var cacheRead: Int64?

    /// Whether any figure was seen.
    var isEmpty: Bool { input == nil && output == nil && cacheCreation == nil && cacheRead == nil }

    /// Every input-side token the provider read: what the body's size is calibrated against.
    var totalInput: Int64? {
        guard input != nil || cacheCreation != nil || cacheRead != nil else { return nil }
        return (input ?? 0) + (cacheCreation ?? 0) + (cacheRead ?? 0)
    }

    /// The usage to report; nil when nothing was seen or a figure is out of range.
    var usage: Usage? {
        guard !isEmpty else { return nil }
        return try? Usage(input: input ?? 0, output: output ?? 0, cacheCreation: cacheCreation ?? 0, cacheRead: cacheRead ?? 0)
    }

    /// Takes Anthropic's `usage` object: every field present replaces the one seen before
    /// (`message_delta` carries cumulative counts).
    mutating func takeAnthropic(_ usage: JSONValue) {
        if let value = Self.count(usage["input_tokens"]) { input = value }
        if let value = Self.count(usage["output_tokens"]) { output = value }
        if let value = Self.count(usage["cache_creation_input_tokens"]) { cacheCreation = value }
        if let value = Self.count(usage["cache_read_input_tokens"]) { cacheRead = value }
    }

    /// Takes OpenAI's `usage` object: `prompt_tokens` includes the cached ones, which are cache
    /// reads here.
    mutating func takeOpenAI(_ usage: JSONValue) {
        let cached = Self.count(usage["prompt_tokens_details"]?["cached_tokens"]) ?? 0
        if let prompt = Self.count(usage["prompt_tokens"]) {
            input = max(0, prompt - cached)
            cacheRead = min(cached, prompt)
        }
        if let value = Self.count(usage["completion_tokens"]) { output = value }
    }

    private static func count(_ value: JSONValue?) -> Int64? {
        guard let number = value?.int64Value, number >= 0, number <= WireLimits.maxCount else { return nil }
        return number
    }
}
