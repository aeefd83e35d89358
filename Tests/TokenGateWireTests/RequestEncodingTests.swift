import Testing

@testable import TokenGateWire

@Suite("Request encoding")
struct RequestEncodingTests {
    static let requests: [Request] = [
        Request(id: 1, .hello(worker: "crawler-1")),
        Request(.hello(worker: "w")),
        Request(.acquire(.init())),
        Request(id: "a\"b", .acquire(.init(tokens: 1200, input: 1000, output: 200, timeoutMs: 5000, worker: "w.1"))),
        Request(id: 2, .report(.init(ticket: "t-1", input: 900, output: 150))),
        Request(
            id: 3,
            .report(
                .init(
                    ticket: "x y", input: 0, output: 9_007_199_254_740_991, cacheCreation: 5, cacheRead: 6,
                    worker: "w", model: "m\n\u{e9}"))),
        Request(id: -4, .release(ticket: "t-1")),
        Request(.throttled(.init(retryAfterMs: 30000))),
        Request(.throttled(.init(retryAfterMs: 1, budget: .requests))),
        Request(.observe(headers: [:])),
        Request(.observe(headers: ["retry-after": "10", "anthropic-ratelimit-tokens-remaining": "100", "x\"y": "z\\"])),
        Request(.status),
        Request(.subscribe(intervalMs: 250)),
        Request(id: "s", .subscribe(intervalMs: 1000)),
        Request(.subscribe(intervalMs: 250, history: true)),
        Request(.pause),
        Request(.resume),
        Request(.setLimit(.init(limit: 1_800_000))),
        Request(.setLimit(.init(threshold: 0.9))),
        Request(.setLimit(.init(threshold: 1))),
        Request(.setLimit(.init(limit: 5, threshold: 0.123456789))),
    ]

    @Test("requests round trip through encodeLine and decode", arguments: requests)
    func roundTrip(request: Request) throws {
        let line = request.encodeLine()
        #expect(line.last == UInt8(ascii: "\n"))
        #expect(line.dropLast().allSatisfy { $0 != UInt8(ascii: "\n") })
        #expect(try Request.decode(line: line).get() == request)
    }

    @Test(
        "lines have op first, then id, then the fields that are set",
        arguments: [
            (Request(id: 7, .acquire(.init(tokens: 100))), #"{"op":"acquire","id":7,"tokens":100}"#),
            (Request(.status), #"{"op":"status"}"#),
            (Request(.subscribe(intervalMs: 100, history: true)), #"{"op":"subscribe","interval_ms":100,"history":true}"#),
            (Request(.subscribe(intervalMs: 100)), #"{"op":"subscribe","interval_ms":100}"#),
            (Request(id: "x", .hello(worker: "w")), #"{"op":"hello","id":"x","v":1,"worker":"w"}"#),
            (
                Request(.report(.init(ticket: "t", input: 1, output: 2, cacheRead: 3))),
                #"{"op":"report","ticket":"t","input":1,"output":2,"cache_read":3}"#
            ),
            (Request(.setLimit(.init(limit: 10, threshold: 0.9))), #"{"op":"set_limit","limit":10,"threshold":0.9}"#),
            (
                Request(.throttled(.init(retryAfterMs: 5, budget: .input))),
                #"{"op":"throttled","retry_after_ms":5,"budget":"input"}"#
            ),
            (Request(.observe(headers: ["b": "2", "a": "1"])), #"{"op":"observe","headers":{"a":"1","b":"2"}}"#),
        ] as [(Request, String)])
    func exactLines(request: Request, line: String) {
        #expect(String(decoding: request.encodeLine(), as: UTF8.self) == line + "\n")
    }
}
