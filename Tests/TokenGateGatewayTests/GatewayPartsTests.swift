import NIOCore
import NIOHTTP1
import Testing
import TokenGateWire

@testable import TokenGateGateway

@Suite("Gateway parts: addresses, routes, headers")
struct GatewayRoutingTests {
    @Test("listen addresses: PORT and :PORT bind 127.0.0.1", arguments: [
        ("8787", "127.0.0.1", 8787), (":0", "127.0.0.1", 0), ("0.0.0.0:80", "0.0.0.0", 80), ("[::1]:9", "::1", 9),
        ("localhost:65535", "localhost", 65535),
    ] as [(String, String, Int)])
    func listen(text: String, host: String, port: Int) {
        #expect(GatewayListenAddress(parsing: text) == GatewayListenAddress(host: host, port: port))
    }

    @Test("bad listen addresses", arguments: ["", ":", "host:", "65536", "abc", "1.2.3.4:-1", "a b:80"])
    func badListen(text: String) {
        #expect(GatewayListenAddress(parsing: text) == nil)
    }

    @Test("the /w/NAME prefix names the worker and is stripped; only the kind's POST endpoint is gated")
    func routes() throws {
        let named = try #require(GatewayRoute(method: .POST, uri: "/w/eval-3/v1/messages?beta=1", kind: .anthropic))
        #expect(named.pathWorker == "eval-3")
        #expect(named.forwardTarget == "/v1/messages?beta=1")
        #expect(named.path == "/v1/messages")
        #expect(named.isGated)
        #expect(GatewayRoute(method: .GET, uri: "/v1/messages", kind: .anthropic)?.isGated == false)
        #expect(GatewayRoute(method: .POST, uri: "/v1/messages/count_tokens", kind: .anthropic)?.isGated == false)
        #expect(GatewayRoute(method: .POST, uri: "/v1/messages", kind: .openai)?.isGated == false)
        #expect(GatewayRoute(method: .POST, uri: "/w/x/v1/chat/completions", kind: .openai)?.isGated == true)
        #expect(GatewayRoute(method: .GET, uri: "/w/x", kind: .anthropic)?.forwardTarget == "/")
        #expect(GatewayRoute(method: .POST, uri: "/w/bad name/v1/messages", kind: .anthropic) == nil)
        #expect(GatewayRoute(method: .POST, uri: "/w//v1/messages", kind: .anthropic) == nil)
        #expect(GatewayRoute(method: .POST, uri: "http://elsewhere/v1/messages", kind: .anthropic) == nil)
    }

    @Test("hop-by-hop headers and the gateway's own stay behind; keys pass untouched")
    func headers() {
        let incoming = HTTPHeaders([
            ("Host", "127.0.0.1:8787"), ("Connection", "keep-alive, X-Trace"), ("X-Trace", "1"), ("Keep-Alive", "5"),
            ("x-api-key", "sk-1"), ("Authorization", "Bearer sk-2"), ("x-tokengate-worker", "w"),
            ("X-TokenGate-Priority", "high"), ("x-tokengate-other", "z"), ("Content-Length", "10"),
            ("Accept-Encoding", "gzip"), ("anthropic-version", "2023-06-01"), ("Transfer-Encoding", "chunked"),
        ])
        let forwarded = HeaderPolicy.upstreamRequestHeaders(incoming, identityEncoding: true)
        #expect(forwarded.map(\.name).map { $0.lowercased() }.sorted() == [
            "accept-encoding", "anthropic-version", "authorization", "x-api-key",
        ])
        #expect(forwarded.first(name: "x-api-key") == "sk-1")
        #expect(forwarded.first(name: "authorization") == "Bearer sk-2")
        #expect(forwarded.first(name: "accept-encoding") == "identity", "a gated response must be readable")
        #expect(HeaderPolicy.upstreamRequestHeaders(incoming, identityEncoding: false).first(name: "accept-encoding") == "gzip")
        let observed = HeaderPolicy.observable(HTTPHeaders([
            ("Retry-After", "2"), ("anthropic-ratelimit-tokens-remaining", "5"), ("x-ratelimit-reset-tokens", "1s"),
            ("set-cookie", "a=b"), ("x-api-key", "sk"),
        ]))
        #expect(observed == ["retry-after": "2", "anthropic-ratelimit-tokens-remaining": "5", "x-ratelimit-reset-tokens": "1s"])
    }
}

@Suite("Gateway parts: bodies, events, usage, calibration")
struct GatewayBodyTests {
    @Test("a request body gives the model, max_tokens and stream; bad ones say why")
    func requestBody() throws {
        let body = try RequestBody(bytes: Array(#"{"model":"m","max_tokens":77,"stream":true}"#.utf8), kind: .anthropic)
        #expect(body.model == "m")
        #expect(body.maxTokens == 77)
        #expect(body.stream)
        #expect(!body.addedUsageChunk)
        let openai = try RequestBody(bytes: Array(#"{"model":"g","max_completion_tokens":5,"max_tokens":9}"#.utf8), kind: .openai)
        #expect(openai.maxTokens == 5)
        #expect(try RequestBody(bytes: Array(#"{"model":"g"}"#.utf8), kind: .openai).maxTokens == RequestBody.defaultMaxTokens)
        for bad in ["", "{", "[]", #"{"model":1}"#, #"{"max_tokens":"9"}"#, #"{"max_tokens":1.5}"#] {
            #expect(throws: RequestBody.Invalid.self, "\(bad)") { try RequestBody(bytes: Array(bad.utf8), kind: .anthropic) }
        }
    }

    @Test("an OpenAI stream gets stream_options.include_usage unless it says either way")
    func includeUsage() throws {
        func rewritten(_ text: String) throws -> (JSONValue, Bool) {
            let body = try RequestBody(bytes: Array(text.utf8), kind: .openai)
            return (try JSONValue.parse(body.forwardBytes), body.addedUsageChunk)
        }
        let (plain, added) = try rewritten(#"{"model":"g","stream":true,"temperature":0.7}"#)
        #expect(added)
        #expect(plain["stream_options"]?["include_usage"]?.boolValue == true)
        #expect(plain["temperature"]?.doubleValue == 0.7)
        let (merged, mergedAdded) = try rewritten(#"{"stream":true,"stream_options":{"x":1}}"#)
        #expect(mergedAdded)
        #expect(merged["stream_options"]?["x"]?.int64Value == 1)
        #expect(merged["stream_options"]?["include_usage"]?.boolValue == true)
        let (declined, declinedAdded) = try rewritten(#"{"stream":true,"stream_options":{"include_usage":false}}"#)
        #expect(!declinedAdded)
        #expect(declined["stream_options"]?["include_usage"]?.boolValue == false)
        #expect(try RequestBody(bytes: Array(#"{"stream":false}"#.utf8), kind: .openai).addedUsageChunk == false)
    }

    @Test("events are cut whole however the chunks fall, \\n\\n or \\r\\n\\r\\n")
    func events() {
        let text = "event: a\ndata: 1\n\nevent: b\r\ndata: 2\r\n\r\ndata: 3\n\n"
        let bytes = Array(text.utf8)
        for cut in 0...bytes.count {
            var events = ServerSentEvents()
            var all = events.take(ByteBuffer(bytes: bytes[..<cut]))
            all += events.take(ByteBuffer(bytes: bytes[cut...]))
            #expect(all.map { String(decoding: $0, as: UTF8.self) } == ["event: a\ndata: 1\n\n", "event: b\r\ndata: 2\r\n\r\n", "data: 3\n\n"], "cut at \(cut)")
            #expect(events.rest().isEmpty)
        }
        #expect(ServerSentEvents.data(of: Array("event: x\ndata: {\"a\":\ndata:1}\n\n".utf8)) == Array("{\"a\":\n1}".utf8))
        var bounded = ServerSentEvents(maximumEventBytes: 8)
        let overflow = bounded.take(ByteBuffer(string: "data: 0123456789"))
        #expect(bounded.overflowed)
        #expect(overflow == [Array("data: 0123456789".utf8)], "held bytes come back whole")
    }

    @Test("usage on an event's second data line is read; events without usage pass unread and unchanged")
    func usageOnSecondDataLine() {
        var reader = ResponseUsageReader(kind: .anthropic, contentType: "text/event-stream", removesUsageChunk: false)
        let plain = "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"delta\":{\"text\":\"usage\"}}\n\n"
        let split = "event: message_delta\ndata: {\"type\":\"message_delta\",\ndata: \"usage\":{\"output_tokens\":7}}\n\n"
        let passed = reader.pass(ByteBuffer(string: plain + split))
        #expect(passed.map { String(buffer: $0) } == plain + split)
        #expect(reader.seen == SeenUsage(output: 7))
    }

    @Test("usage is read from Anthropic streams and JSON, cumulative fields replacing earlier ones")
    func anthropicUsage() {
        var reader = ResponseUsageReader(kind: .anthropic, contentType: "text/event-stream; charset=utf-8", removesUsageChunk: false)
        let stream = """
            event: message_start
            data: {"type":"message_start","message":{"usage":{"input_tokens":10,"cache_creation_input_tokens":3,"cache_read_input_tokens":4,"output_tokens":1}}}

            event: message_delta
            data: {"type":"message_delta","usage":{"output_tokens":50}}


            """
        for byte in stream.utf8 { _ = reader.pass(ByteBuffer(bytes: [byte])) }
        _ = reader.finish()
        #expect(reader.seen == SeenUsage(input: 10, output: 50, cacheCreation: 3, cacheRead: 4))
        var json = ResponseUsageReader(kind: .anthropic, contentType: "application/json", removesUsageChunk: false)
        _ = json.pass(ByteBuffer(string: #"{"usage":{"input_tokens":7,"#))
        _ = json.pass(ByteBuffer(string: #""output_tokens":2}}"#))
        _ = json.finish()
        #expect(json.seen.usage?.input == 7)
        #expect(json.seen.usage?.output == 2)
        var broken = ResponseUsageReader(kind: .anthropic, contentType: "application/json", removesUsageChunk: false)
        _ = broken.pass(ByteBuffer(string: #"{"usage":{"input_tokens":-7}"#))
        _ = broken.finish()
        #expect(broken.seen.usage == nil, "nothing usable: the estimate is charged")
    }

    @Test("calibration: the first response replaces the starting ratio, later ones move it by a fifth")
    func calibration() {
        let calibration = InputCalibration()
        #expect(calibration.estimate(bodyBytes: 1000, model: "m") == 350)
        calibration.learn(bodyBytes: 1000, inputTokens: 200, model: "m")
        #expect(calibration.estimate(bodyBytes: 1000, model: "m") == 200)
        calibration.learn(bodyBytes: 1000, inputTokens: 300, model: "m")
        #expect(abs(calibration.ratio(model: "m") - 0.22) < 1e-9)
        for _ in 0..<60 { calibration.learn(bodyBytes: 2000, inputTokens: 500, model: "m") }
        #expect(abs(calibration.ratio(model: "m") - 0.25) < 1e-4, "it converges on the observed ratio")
        #expect(calibration.estimate(bodyBytes: 1000, model: "other") == 350, "per model")
    }
}
