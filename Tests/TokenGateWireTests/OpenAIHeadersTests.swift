import Testing
import TokenGateWire

@Suite("OpenAI rate-limit headers")
struct OpenAIHeadersTests {
    @Test("x-ratelimit-* are read per budget, resets as durations from the response")
    func reads() {
        let now: Int64 = 1_795_925_730_000
        let headers = ProviderHeaders(
            headers: [
                "x-ratelimit-limit-requests": "500",
                "X-RateLimit-Remaining-Requests": "499",
                "x-ratelimit-reset-requests": "120ms",
                "x-ratelimit-limit-tokens": "30000",
                "x-ratelimit-remaining-tokens": "29000",
                "x-ratelimit-reset-tokens": "6m0s",
                "x-ratelimit-limit-bananas": "3",
            ],
            nowEpochMs: now
        )
        #expect(headers.readings == [
            .init(budget: .tokens, limit: 30_000, remaining: 29_000, resetEpochMs: now + 360_000),
            .init(budget: .requests, limit: 500, remaining: 499, resetEpochMs: now + 120),
        ])
        #expect(headers.retryAfterMs == nil)
    }

    @Test("without the current time, reset durations are ignored but the counts are read")
    func noClock() {
        let headers = ProviderHeaders(headers: ["x-ratelimit-reset-tokens": "1s", "x-ratelimit-remaining-tokens": "5"])
        #expect(headers.readings == [.init(budget: .tokens, remaining: 5)])
    }

    @Test("Go durations", arguments: [
        ("6m0s", 360_000), ("1s", 1000), ("20ms", 20), ("1h2m3.5s", 3_723_500), ("0s", 0), ("1.2ms", 2),
        ("500us", 1), ("999ns", 1), ("0.5s", 500),
    ] as [(String, Int64)])
    func durations(text: String, milliseconds: Int64) {
        #expect(GoDuration.milliseconds(Substring(text)) == milliseconds)
    }

    @Test("malformed durations are nil", arguments: ["", "s", "6", "6x", "1..2s", "-1s", "1s2", "9999999h"])
    func malformed(text: String) {
        #expect(GoDuration.milliseconds(Substring(text)) == nil)
    }
}
