import Testing
import TokenGateTestSupport
import TokenGateWire

extension OneAtATime {
    /// `--upstream-kind openai`: chat completions gated, JSON and streamed; the usage chunk the
    /// gateway asks for is read and removed before the agent sees it.
    @Suite("Gateway: OpenAI")
    struct GatewayOpenAITests {
        static let body = #"{"model":"gpt-4o","max_completion_tokens":100,"messages":[{"role":"user","content":"Hi"}]}"#
        static let streamBody = #"{"model":"gpt-4o","max_tokens":100,"stream":true,"messages":[{"role":"user","content":"Hi"}]}"#

        @Test("a JSON completion: usage with cached prompt tokens as cache reads, x-ratelimit-* observed")
        func json() async throws {
            let reply = ProviderFixtures.openAIJSON(prompt: 1000, completion: 200, cached: 600)
            try await FakeUpstream.with(script: { _ in
                .json(reply, headers: [
                    ("x-ratelimit-limit-tokens", "30000"), ("x-ratelimit-remaining-tokens", "29000"),
                    ("x-ratelimit-reset-tokens", "6m0s"),
                ])
            }) { upstream in
                try await GatewayHarness.with(upstream: upstream.url, kind: "openai") { gateway in
                    let response = try await gateway.post(
                        "/w/oa/v1/chat/completions", Self.body, headers: [("authorization", "Bearer sk-test")]
                    )
                    #expect(response.status == 200)
                    #expect(response.text == reply)
                    #expect(upstream.recorded.first?.bodyText == Self.body, "a JSON request is forwarded untouched")
                    #expect(upstream.recorded.first?.header("authorization") == "Bearer sk-test")
                    #expect(try gateway.worker("oa")?.used == 400 + 200, "uncached input + output")
                    let tokens = try gateway.status().budgets.first
                    #expect(tokens?.providerRemaining == 29000)
                    #expect(tokens?.providerLimit == 30000)
                }
            }
        }

        @Test("a stream: include_usage is added upstream, the usage chunk is read and removed, the rest passes byte for byte")
        func stream() async throws {
            let upstreamEvents = ProviderFixtures.openAIEvents(prompt: 300, completion: 40, usageChunk: true)
            try await FakeUpstream.with(script: { _ in .events(upstreamEvents, gapMilliseconds: 5) }) { upstream in
                try await GatewayHarness.with(upstream: upstream.url, kind: "openai") { gateway in
                    let response = try await gateway.post("/w/oa/v1/chat/completions", Self.streamBody)
                    #expect(response.status == 200)
                    var expected = upstreamEvents
                    expected.remove(at: expected.count - 2)
                    #expect(response.text == expected.joined(), "everything but the usage-only chunk")
                    let sent = try #require(upstream.recorded.first)
                    let options = try JSONValue.parse(sent.body)["stream_options"]
                    #expect(options?["include_usage"]?.boolValue == true)
                    #expect(try gateway.worker("oa")?.used == 340)
                }
            }
        }

        @Test("a stream that asked for usage itself keeps its usage chunk")
        func streamAskingForUsage() async throws {
            let upstreamEvents = ProviderFixtures.openAIEvents(prompt: 30, completion: 4, usageChunk: true)
            let body = #"{"model":"gpt-4o","stream":true,"stream_options":{"include_usage":true},"messages":[]}"#
            try await FakeUpstream.with(script: { _ in .events(upstreamEvents) }) { upstream in
                try await GatewayHarness.with(upstream: upstream.url, kind: "openai") { gateway in
                    let response = try await gateway.post("/v1/chat/completions", body)
                    #expect(response.text == upstreamEvents.joined())
                    #expect(upstream.recorded.first?.bodyText == body)
                    #expect(try gateway.worker("gateway")?.used == 34)
                }
            }
        }

        @Test("errors come in OpenAI's shape; /v1/messages is not gated for openai")
        func errorsAndPaths() async throws {
            let port = try FreePort.closed()
            try await GatewayHarness.with(upstream: "http://127.0.0.1:\(port)", kind: "openai") { gateway in
                let response = try await gateway.post("/v1/chat/completions", "{oops")
                #expect(response.status == 400)
                #expect(response.json?["error"]?["message"]?.stringValue != nil)
                #expect(response.json?["error"]?["code"]?.stringValue == "invalid_request")
                let down = try await gateway.post("/v1/chat/completions", Self.body)
                #expect(down.status == 502)
                #expect(down.json?["error"]?["type"]?.stringValue == "server_error")
                #expect(try gateway.status().used == 0)
            }
        }
    }
}
