import AsyncHTTPClient
import Foundation
import NIOCore
import Testing
import TokenGateTestSupport
import TokenGateWire

extension OneAtATime {
    /// The gateway when things go wrong: a 429, an agent that leaves mid-stream, an upstream that is
    /// down, silent or failing, and a request that waits too long.
    @Suite("Gateway: failures")
    struct GatewayFailureTests {
        @Test("an upstream 429 goes back as is, and its retry-after cools the whole gate down")
        func tooManyRequests() async throws {
            let refusal = #"{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}"#
            try await FakeUpstream.with(script: { _ in
                .json(refusal, status: 429, headers: [
                    ("retry-after", "3"), ("anthropic-ratelimit-tokens-remaining", "0"), ("anthropic-ratelimit-tokens-limit", "90000"),
                ])
            }) { upstream in
                try await GatewayHarness.with(upstream: upstream.url, arguments: ["--gateway-max-wait", "0.4"]) { gateway in
                    let response = try await gateway.post("/w/eve/v1/messages", ProviderFixtures.messagesBody)
                    #expect(response.status == 429)
                    #expect(response.text == refusal)
                    #expect(response.headers.first(name: "retry-after") == "3")
                    #expect(response.headers.first(name: "x-tokengate-error") == nil, "the provider's own 429")
                    let status = try gateway.status()
                    #expect(status.state == .cooldown)
                    #expect((status.cooldownRemainingMs ?? 0) > 2000)
                    #expect(status.cooldownWorker == "eve")
                    #expect(status.used == 0, "a refused request costs nothing")
                    #expect(status.reserved == 0)
                    #expect(status.budgets.first?.providerRemaining == 0)
                    // The next request waits out the cooldown, here longer than it may wait.
                    let waited = try await gateway.post("/w/eve/v1/messages", ProviderFixtures.messagesBody)
                    #expect(waited.status == 429)
                    #expect(waited.headers.first(name: "x-tokengate-error") == "gateway")
                    #expect(Int(waited.headers.first(name: "retry-after") ?? "") ?? 0 >= 1)
                    #expect(waited.json?["error"]?["type"]?.stringValue == "rate_limit_error")
                    #expect(upstream.recorded.count == 1, "nothing went upstream during the cooldown")
                }
            }
        }

        @Test("a request that waits past --gateway-max-wait gets a 429 in the provider's shape")
        func maxWait() async throws {
            try await FakeUpstream.with(script: { _ in .json(ProviderFixtures.anthropicJSON(input: 1, output: 1)) }) { upstream in
                try await GatewayHarness.with(
                    upstream: upstream.url, arguments: ["--limit", "1000", "--threshold", "1", "--gateway-max-wait", "0.3"]
                ) { gateway in
                    let holder = try LineClient(path: gateway.daemon.socketPath)
                    let grant = try holder.request(#"{"op":"acquire","tokens":1000,"worker":"hog","id":1}"#)
                    #expect(grant["ok"]?.boolValue == true)
                    let started = ContinuousClock.now
                    let response = try await gateway.post("/v1/messages", ProviderFixtures.messagesBody)
                    let elapsed = ContinuousClock.now - started
                    #expect(response.status == 429)
                    #expect(response.json?["error"]?["type"]?.stringValue == "rate_limit_error")
                    #expect(response.headers.first(name: "retry-after") != nil)
                    #expect(elapsed >= .milliseconds(250))
                    #expect(upstream.recorded.isEmpty)
                    #expect(try gateway.status().waiting == 0)
                    #expect(try gateway.status().gateway?.errors == 1)
                }
            }
        }

        @Test("an agent that leaves mid-stream cancels the upstream request; the usage seen so far is reported")
        func agentLeaves() async throws {
            let start = ProviderFixtures.anthropicEvents(input: 700, output: 50, cacheCreation: 20)[0]
            try await FakeUpstream.with(script: { _ in .events([start, "event: ping\ndata: {\"type\":\"ping\"}\n\n"], gapMilliseconds: 50).hanging }) { upstream in
                try await GatewayHarness.with(upstream: upstream.url) { gateway in
                    let firstChunk = AsyncStream<Void>.makeStream()
                    var request = HTTPClientRequest(url: gateway.base + "/w/quitter/v1/messages")
                    request.method = .POST
                    request.body = .bytes(ByteBuffer(string: ProviderFixtures.streamBody))
                    let client = gateway.client
                    let agent = Task {
                        let response = try await client.execute(request, timeout: .seconds(30))
                        for try await _ in response.body { firstChunk.continuation.yield() }
                    }
                    for await _ in firstChunk.stream { break }
                    #expect(try gateway.status().inFlight == 1)
                    agent.cancel()
                    _ = await agent.result
                    #expect(await eventually { upstream.cutByPeer == 1 }, "the upstream request was cancelled")
                    #expect(await eventually { (try? gateway.status().inFlight) == 0 })
                    let worker = try #require(try gateway.worker("quitter"))
                    #expect(worker.used == 700 + 1 + 20, "message_start's usage: input, cache writes and the first output token")
                    #expect(try gateway.status().gateway?.inFlight == 0)
                }
            }
        }

        @Test("an agent that leaves before any usage is seen is charged the estimate")
        func agentLeavesEarly() async throws {
            try await FakeUpstream.with(script: { _ in .events(["event: ping\ndata: {\"type\":\"ping\"}\n\n"]).hanging }) { upstream in
                try await GatewayHarness.with(upstream: upstream.url) { gateway in
                    let firstChunk = AsyncStream<Void>.makeStream()
                    var request = HTTPClientRequest(url: gateway.base + "/w/early/v1/messages")
                    request.method = .POST
                    request.body = .bytes(ByteBuffer(string: ProviderFixtures.streamBody))
                    let client = gateway.client
                    let agent = Task {
                        let response = try await client.execute(request, timeout: .seconds(30))
                        for try await _ in response.body { firstChunk.continuation.yield() }
                    }
                    for await _ in firstChunk.stream { break }
                    agent.cancel()
                    _ = await agent.result
                    #expect(await eventually { (try? gateway.status().inFlight) == 0 })
                    let used = try #require(try gateway.worker("early")).used
                    #expect(used > 64, "the estimate: the body's input estimate plus max_tokens (64)")
                    #expect(used < 64 + ProviderFixtures.streamBody.utf8.count)
                }
            }
        }

        @Test("an upstream that is down: 502 in Anthropic's shape, the reservation released")
        func upstreamDown() async throws {
            let port = try FreePort.closed()
            try await GatewayHarness.with(upstream: "http://127.0.0.1:\(port)") { gateway in
                let response = try await gateway.post("/w/a/v1/messages", ProviderFixtures.messagesBody)
                #expect(response.status == 502)
                #expect(response.json?["type"]?.stringValue == "error")
                #expect(response.json?["error"]?["type"]?.stringValue == "api_error")
                let status = try gateway.status()
                #expect(status.used == 0, "it never reached the upstream: nothing is charged")
                #expect(status.reserved == 0)
                #expect(status.inFlight == 0)
                #expect(status.gateway?.errors == 1)
                let models = try await gateway.client.execute(HTTPClientRequestBuilder.get(gateway.base + "/v1/models"), timeout: .seconds(10))
                #expect(models.status.code == 502, "ungated requests get the same answer")
            }
        }

        @Test("a silent upstream: 504 after --upstream-timeout, charged at the estimate")
        func upstreamTimeout() async throws {
            try await FakeUpstream.with(script: { _ in .silent }) { upstream in
                try await GatewayHarness.with(upstream: upstream.url, arguments: ["--upstream-timeout", "0.5"]) { gateway in
                    let response = try await gateway.post("/w/a/v1/messages", ProviderFixtures.messagesBody)
                    #expect(response.status == 504)
                    #expect(response.json?["error"]?["type"]?.stringValue == "timeout_error")
                    let status = try gateway.status()
                    #expect(status.used > 64, "it reached the upstream, which may have charged it")
                    #expect(status.reserved == 0)
                    #expect(status.gateway?.errors == 1)
                }
            }
        }

        @Test("an upstream 5xx passes through as is and is charged at the estimate; a cut stream closes the connection")
        func upstreamErrors() async throws {
            let overloaded = #"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#
            try await FakeUpstream.with(script: { recorded in
                recorded.bodyText.contains("\"stream\":true")
                    ? FakeUpstream.Reply(status: 200, headers: [("content-type", "text/event-stream")], steps: [
                        .send(ProviderFixtures.anthropicEvents(input: 40, output: 2)[0]), .wait(milliseconds: 30), .close,
                    ])
                    : .json(overloaded, status: 529)
            }) { upstream in
                try await GatewayHarness.with(upstream: upstream.url) { gateway in
                    let response = try await gateway.post("/w/a/v1/messages", ProviderFixtures.messagesBody)
                    #expect(response.status == 529)
                    #expect(response.text == overloaded)
                    let charged = try gateway.status().used
                    #expect(charged > 64)
                    await #expect(throws: (any Error).self) {
                        _ = try await gateway.post("/w/b/v1/messages", ProviderFixtures.streamBody)
                    }
                    #expect(await eventually { (try? gateway.worker("b"))??.used == 41 }, "what was seen before the cut")
                    let status = try gateway.status()
                    #expect(status.reserved == 0)
                    #expect(status.gateway?.errors == 1)
                }
            }
        }
    }
}

extension OneAtATime {
    @Suite("Gateway: shutdown")
    struct GatewayShutdownTests {
        @Test("SIGTERM with a gated request waiting and an idle keep-alive connection: the daemon exits 0 at once")
        func stopsCleanly() async throws {
            try await FakeUpstream.with(script: { _ in .json(ProviderFixtures.anthropicJSON(input: 1, output: 1)) }) { upstream in
                try await GatewayHarness.with(upstream: upstream.url, arguments: ["--limit", "1000", "--threshold", "1"]) { gateway in
                    #expect(try await gateway.post("/v1/messages", ProviderFixtures.messagesBody).status == 200, "a kept-alive connection")
                    let holder = try LineClient(path: gateway.daemon.socketPath)
                    #expect(try holder.request(#"{"op":"acquire","tokens":1000,"id":1}"#)["ok"]?.boolValue == true)
                    let waiting = Task { try await gateway.post("/w/waiter/v1/messages", ProviderFixtures.messagesBody) }
                    #expect(await eventually { (try? gateway.status().waiting) == 1 })
                    let started = ContinuousClock.now
                    let status = gateway.daemon.stop()
                    #expect(status == 0, "exit status")
                    #expect(ContinuousClock.now - started < .seconds(4))
                    let answer = try? await waiting.value
                    #expect(answer == nil || answer?.status == 503, "the waiter is cut off or told the daemon is stopping")
                    #expect(upstream.recorded.count == 1)
                }
            }
        }
    }
}

extension FakeUpstream.Reply {
    /// The same reply, then no end: the stream stays open.
    var hanging: FakeUpstream.Reply {
        var reply = self
        reply.steps.append(.hang)
        return reply
    }
}
