import Testing
import TokenGateWire

@Suite("Provider headers")
struct ProviderHeadersTests {
    @Test("Anthropic's rate-limit headers are read per budget, names case-insensitively")
    func reads() {
        let headers = ProviderHeaders(headers: [
            "anthropic-ratelimit-tokens-limit": "400000",
            "Anthropic-RateLimit-Tokens-Remaining": "398000",
            "anthropic-ratelimit-tokens-reset": "2026-11-29T04:15:30Z",
            "anthropic-ratelimit-input-tokens-remaining": "12000",
            "anthropic-ratelimit-output-tokens-limit": "80000",
            "anthropic-ratelimit-requests-reset": "2026-11-29T04:15:30.250+01:00",
            "retry-after": "7",
            "content-type": "application/json",
        ])
        #expect(headers.retryAfterMs == 7000)
        #expect(headers.readings == [
            .init(budget: .tokens, limit: 400_000, remaining: 398_000, resetEpochMs: 1_795_925_730_000),
            .init(budget: .input, remaining: 12_000),
            .init(budget: .output, limit: 80_000),
            .init(budget: .requests, resetEpochMs: 1_795_925_730_250 - 3_600_000),
        ])
    }

    @Test("malformed values are ignored without harm", arguments: [
        ["anthropic-ratelimit-tokens-remaining": "-5"],
        ["anthropic-ratelimit-tokens-remaining": "12k"],
        ["anthropic-ratelimit-tokens-remaining": "99999999999999999999"],
        ["anthropic-ratelimit-tokens-reset": "yesterday"],
        ["anthropic-ratelimit-tokens-reset": "2026-13-01T00:00:00Z"],
        ["anthropic-ratelimit-tokens-reset": "2026-11-29T04:15:30"],
        ["anthropic-ratelimit-bananas-limit": "5"],
        ["anthropic-ratelimit-tokens": "5"],
        ["retry-after": "soon"],
        ["retry-after": "-1"],
    ])
    func malformed(headers: [String: String]) {
        let parsed = ProviderHeaders(headers: headers)
        #expect(parsed.readings.isEmpty)
        #expect(parsed.retryAfterMs == nil)
    }

    @Test("RFC 3339 instants", arguments: [
        ("1970-01-01T00:00:00Z", Int64(0)),
        ("2000-02-29T12:00:00.5Z", Int64(951_825_600_500)),
        ("2026-11-29T04:15:30.123456Z", Int64(1_795_925_730_123)),
        ("2026-11-29T05:15:30+01:00", Int64(1_795_925_730_000)),
    ])
    func rfc3339(text: String, expected: Int64) {
        #expect(RFC3339.epochMilliseconds(Substring(text)) == expected)
    }
}
