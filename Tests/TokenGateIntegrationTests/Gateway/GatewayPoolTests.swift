import Testing
import TokenGateTestSupport
import TokenGateWire

extension OneAtATime {
    /// The gateway with `--pool`: the body's `model` picks the pool; a 429 cools only that pool.
    @Suite("Gateway: pools")
    struct GatewayPoolTests {
        @Test("a request is acquired and reported in its model's pool, and its 429 cools only that pool")
        func modelPicksThePool() async throws {
            let refusal = #"{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}"#
            try await FakeUpstream.with(script: { recorded in
                recorded.bodyText.contains("claude-haiku")
                    ? .json(refusal, status: 429, headers: [("retry-after", "5")])
                    : .json(ProviderFixtures.anthropicJSON(input: 100, output: 20))
            }) { upstream in
                try await GatewayHarness.with(
                    upstream: upstream.url,
                    arguments: ["--pool", "sonnet:models=claude-sonnet-*,limit=500000", "--pool", "haiku:models=claude-haiku-*,limit=900000"]
                ) { gateway in
                    #expect(try await gateway.post("/w/p/v1/messages", ProviderFixtures.messagesBody).status == 200)
                    let haiku = ProviderFixtures.messagesBody.replacingOccurrences(of: "claude-sonnet-4-5", with: "claude-haiku-4-5")
                    #expect(try await gateway.post("/w/p/v1/messages", haiku).status == 429)
                    let pools = try #require(try gateway.status().pools)
                    let byName = Dictionary(uniqueKeysWithValues: pools.map { ($0.name, $0) })
                    #expect(byName["sonnet"]?.used == 120)
                    #expect(byName["default"]?.used == 0)
                    #expect(byName["haiku"]?.state == .cooldown)
                    #expect(byName["sonnet"]?.state == .running, "a 429 cools only its pool")
                    #expect(byName["default"]?.state == .running)
                    #expect(pools.allSatisfy { $0.reserved == 0 })
                }
            }
        }
    }
}
