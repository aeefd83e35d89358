import Foundation
import Testing
import TokenGateTestSupport
import TokenGateWire

extension OneAtATime {
    /// `serve --gateway` in front of a fake Anthropic API: gated JSON and streamed messages, the
    /// usage reported exactly, the worker from the path, headers passed on untouched.
    @Suite("Gateway: Anthropic")
    struct GatewayAnthropicTests {
        @Test("a JSON message is gated, forwarded with its headers, and its usage (with cache fields) reported exactly")
        func jsonMessage() async throws {
            let reply = ProviderFixtures.anthropicJSON(input: 1200, output: 310, cacheCreation: 400, cacheRead: 5000)
            try await FakeUpstream.with(script: { _ in
                .json(reply, headers: [("anthropic-ratelimit-tokens-remaining", "1000000"), ("request-id", "req_7")])
            }) { upstream in
                try await GatewayHarness.with(upstream: upstream.url) { gateway in
                    let response = try await gateway.post(
                        "/w/alice/v1/messages?beta=true", ProviderFixtures.messagesBody,
                        headers: [("anthropic-version", "2023-06-01"), ("x-tokengate-priority", "high")]
                    )
                    #expect(response.status == 200)
                    #expect(response.text == reply, "the body comes back byte for byte")
                    #expect(response.headers.first(name: "request-id") == "req_7")
                    let sent = try #require(upstream.recorded.first)
                    #expect(sent.uri == "/v1/messages?beta=true", "the /w/NAME prefix is stripped, the query kept")
                    #expect(sent.header("anthropic-version") == "2023-06-01")
                    #expect(sent.header("x-tokengate-priority") == nil, "the gateway's own headers stay behind")
                    #expect(sent.bodyText == ProviderFixtures.messagesBody)
                    let alice = try #require(try gateway.worker("alice"))
                    #expect(alice.used == 1200 + 310 + 400, "input + output + cache writes; cache reads are not counted")
                    #expect(alice.requests == 1)
                    let status = try gateway.status()
                    #expect(status.reserved == 0)
                    #expect(status.inFlight == 0)
                    #expect(status.budgets.first?.providerRemaining == 1_000_000, "the rate-limit headers were observed")
                    #expect(status.gateway?.requests == 1)
                    // The gateway lowers its in-flight count just after the last byte has gone out.
                    #expect(await eventually { (try? gateway.status().gateway?.inFlight) == 0 })
                    #expect(status.gateway?.errors == 0)
                    #expect(status.gateway?.upstream == upstream.url)
                    #expect(status.gateway?.listen == "127.0.0.1:\(gateway.port)")
                }
            }
        }

        @Test("a stream comes back byte for byte and its usage is read from message_start and message_delta")
        func stream() async throws {
            let events = ProviderFixtures.anthropicEvents(input: 900, output: 77, cacheCreation: 10, cacheRead: 300)
            try await FakeUpstream.with(script: { _ in .events(events, gapMilliseconds: 5) }) { upstream in
                try await GatewayHarness.with(upstream: upstream.url) { gateway in
                    let response = try await gateway.post(
                        "/v1/messages", ProviderFixtures.streamBody, headers: [("x-tokengate-worker", "crawler-2")]
                    )
                    #expect(response.status == 200)
                    #expect(response.headers.first(name: "content-type") == "text/event-stream")
                    #expect(response.text == events.joined())
                    let worker = try #require(try gateway.worker("crawler-2"))
                    #expect(worker.used == 900 + 77 + 10)
                    #expect(try gateway.status().reserved == 0)
                }
            }
        }

        @Test("without a path or header name the worker is 'gateway'; other paths pass through ungated")
        func defaultWorkerAndPassThrough() async throws {
            try await FakeUpstream.with(script: { recorded in
                recorded.uri.hasPrefix("/v1/models")
                    ? .json(#"{"data":[]}"#) : .json(ProviderFixtures.anthropicJSON(input: 5, output: 6))
            }) { upstream in
                try await GatewayHarness.with(upstream: upstream.url) { gateway in
                    #expect(try await gateway.post("/v1/messages", ProviderFixtures.messagesBody).status == 200)
                    #expect(try gateway.worker("gateway")?.used == 11)
                    var request = HTTPClientRequestBuilder.get(gateway.base + "/w/bob/v1/models?limit=2")
                    request.headers.add(name: "x-api-key", value: "k")
                    let models = try await gateway.client.execute(request, timeout: .seconds(10))
                    #expect(models.status.code == 200)
                    #expect(upstream.recorded.last?.uri == "/v1/models?limit=2")
                    #expect(upstream.recorded.last?.method == "GET")
                    #expect(try gateway.worker("bob") == nil, "an ungated request takes nothing from the gate")
                    #expect(try gateway.status().gateway?.requests == 2)
                }
            }
        }

        @Test("a malformed body, a bad worker name, or a huge body is refused in Anthropic's shape; the daemon carries on")
        func badInput() async throws {
            try await FakeUpstream.with(script: { _ in .json(ProviderFixtures.anthropicJSON(input: 1, output: 1)) }) { upstream in
                try await GatewayHarness.with(upstream: upstream.url) { gateway in
                    for (path, body) in [
                        ("/v1/messages", "{not json"), ("/v1/messages", "[1,2]"), ("/v1/messages", #"{"model":3}"#),
                        ("/v1/messages", #"{"max_tokens":-4}"#), ("/w/bad%20name/v1/messages", ProviderFixtures.messagesBody),
                    ] {
                        let response = try await gateway.post(path, body)
                        #expect(response.status == 400, "\(body)")
                        #expect(response.json?["type"]?.stringValue == "error")
                        #expect(response.json?["error"]?["type"]?.stringValue == "invalid_request_error")
                    }
                    let huge = String(repeating: "x", count: 33 * 1024 * 1024)
                    let tooLarge = try await gateway.post("/v1/messages", huge)
                    #expect(tooLarge.status == 413)
                    #expect(upstream.recorded.isEmpty, "nothing bad was forwarded")
                    #expect(try await gateway.post("/v1/messages", ProviderFixtures.messagesBody).status == 200)
                    let status = try gateway.status()
                    #expect(status.gateway?.errors == 6)
                    #expect(status.reserved == 0)
                }
            }
        }
    }
}
