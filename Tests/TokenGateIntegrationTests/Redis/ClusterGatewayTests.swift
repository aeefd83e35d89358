import AsyncHTTPClient
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import Testing
import TokenGateRedis
import TokenGateTestSupport
import TokenGateWire

/// Daemons `a` and `b` on one redis-server (`withCluster`), `a` with `--gateway 0` in front of
/// `upstream` (plus `gatewayArguments`); the gateway's HTTP client is shut down however the body ends.
func withClusterGateway(
    upstream: FakeUpstream, gatewayArguments: [String] = [],
    _ body: (RedisServerProcess, [DaemonProcess], GatewayHarness) async throws -> Void
) async throws {
    let gatewayArgv = ["--gateway", "0", "--upstream", upstream.url, "--upstream-kind", "anthropic"] + gatewayArguments
    try await withCluster(["a", "b"], arguments: ["a": gatewayArgv]) { redis, daemons in
        var port: Int?
        _ = await eventually {
            port = GatewayHarness.gatewayPort(in: daemons[0].log)
            return port != nil
        }
        guard let port else { throw TestFailure("no gateway address in the log:\n\(daemons[0].log)") }
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            try await body(redis, daemons, GatewayHarness(daemon: daemons[0], port: port, client: client))
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }
}

extension OneAtATime {
    /// The HTTP gateway on a daemon with `--redis`: its requests are admitted by the organisation's
    /// shared admission exactly as socket workers' acquires are.
    @Suite("Several hosts, one limit: the gateway", .serialized)
    struct ClusterGatewayTests {
        /// A body whose estimate (its input estimate plus `max_tokens`) is most of a 1000-token window.
        static let largeBody = #"{"model":"claude-sonnet-4-5","max_tokens":800,"messages":[{"role":"user","content":"Hi"}]}"#

        @Test("a gateway request on host a waits behind host b's grant in the shared window; its response's usage counts once")
        func sharedWindow() async throws {
            try await FakeUpstream.with(script: { _ in .json(ProviderFixtures.anthropicJSON(input: 300, output: 50)) }) { upstream in
                try await withClusterGateway(upstream: upstream) { redis, daemons, gateway in
                    let b = try daemons[1].client()
                    let held = try b.request(#"{"op":"acquire","tokens":1000}"#)
                    let ticket = try #require(held["ticket"]?.stringValue)
                    let request = Task { try await gateway.post("/w/agent/v1/messages", ProviderFixtures.messagesBody) }
                    #expect(await eventually { (try? await sharedLoad(redis).waiting) == 1 }, "the gateway request queues in Redis")
                    #expect(try gateway.status().waiting == 1)
                    try await Task.sleep(for: .milliseconds(500))
                    #expect(upstream.recorded.isEmpty, "nothing goes upstream while b holds the whole limit")
                    _ = try b.request(#"{"op":"report","ticket":"\#(ticket)","input":200,"output":0}"#)
                    let response = try await request.value
                    #expect(response.status == 200, "\(response.text)")
                    #expect(upstream.recorded.count == 1)
                    #expect(await eventually { (try? await sharedLoad(redis).used) == 200 + 350 })
                    // Two heartbeats later: counted once, nothing left reserved or waiting.
                    try await Task.sleep(for: .milliseconds(1200))
                    let load = try await sharedLoad(redis)
                    #expect(load.used == 550 && load.reserved == 0 && load.waiting == 0, "\(load)")
                    let worker = try #require(try gateway.worker("agent"))
                    #expect(worker.used == 350)
                    #expect(worker.host == "a")
                    #expect(try gateway.status().cluster?.pending == 0)
                }
            }
        }

        @Test("a gateway client that leaves while waiting leaves the shared queue; a wait past --gateway-max-wait does too")
        func leavingAndMaxWait() async throws {
            try await FakeUpstream.with(script: { _ in .json(ProviderFixtures.anthropicJSON(input: 1, output: 1)) }) { upstream in
                try await withClusterGateway(upstream: upstream, gatewayArguments: ["--gateway-max-wait", "1.5"]) { redis, daemons, gateway in
                    let b = try daemons[1].client()
                    let held = try b.request(#"{"op":"acquire","tokens":1000}"#)
                    let ticket = try #require(held["ticket"]?.stringValue)
                    // A gateway request asking for most of the window queues first, then leaves.
                    let client = gateway.client
                    var leaving = HTTPClientRequest(url: gateway.base + "/w/quitter/v1/messages")
                    leaving.method = .POST
                    leaving.body = .bytes(ByteBuffer(string: Self.largeBody))
                    let agent = Task { _ = try await client.execute(leaving, timeout: .seconds(30)) }
                    #expect(await eventually { (try? await sharedLoad(redis).waiting) == 1 })
                    agent.cancel()
                    _ = await agent.result
                    #expect(await eventually { (try? await sharedLoad(redis).waiting) == 0 }, "the left request's waiter is gone from Redis")
                    #expect(try gateway.status().waiting == 0)
                    // b's next waiter is not held behind it: b's report makes room for b's waiter alone.
                    let next = try daemons[1].client()
                    try next.send(#"{"op":"acquire","tokens":500,"timeout_ms":10000,"id":"next"}"#)
                    #expect(await eventually { (try? await sharedLoad(redis).waiting) == 1 })
                    _ = try b.request(#"{"op":"report","ticket":"\#(ticket)","input":200,"output":0}"#)
                    let grant = try next.readReply(timeout: 5)
                    #expect(grant["ok"] == .bool(true) && grant["id"]?.stringValue == "next", "\(grant.jsonText)")
                    // 200 used + 500 reserved: a request for most of the window waits, past its longest wait.
                    let started = ContinuousClock.now
                    let waited = try await gateway.post("/w/patient/v1/messages", Self.largeBody)
                    #expect(waited.status == 429, "\(waited.text)")
                    #expect(waited.headers.first(name: "x-tokengate-error") == "gateway")
                    #expect(ContinuousClock.now - started >= .milliseconds(1400))
                    #expect(await eventually { (try? await sharedLoad(redis).waiting) == 0 }, "the timed-out waiter left Redis")
                    #expect(upstream.recorded.isEmpty)
                    let load = try await sharedLoad(redis)
                    #expect(load.used == 200 && load.reserved == 500, "\(load)")
                }
            }
        }

        @Test("an upstream 429 through the gateway on host a holds host b's grants until the cooldown ends")
        func throttledForEveryHost() async throws {
            let refusal = #"{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}"#
            try await FakeUpstream.with(script: { _ in .json(refusal, status: 429, headers: [("retry-after", "2")]) }) { upstream in
                try await withClusterGateway(upstream: upstream) { redis, daemons, gateway in
                    let response = try await gateway.post("/w/eve/v1/messages", ProviderFixtures.messagesBody)
                    let refused = ContinuousClock.now
                    #expect(response.status == 429)
                    #expect(response.text == refusal)
                    #expect(await eventually { (try? await sharedLoad(redis).reserved) == 0 }, "the refused request's grant went back")
                    let b = try daemons[1].client()
                    let grant = try b.request(#"{"op":"acquire","tokens":100,"timeout_ms":10000}"#, timeout: 10)
                    let waited = ContinuousClock.now - refused
                    #expect(grant["ok"] == .bool(true), "\(grant.jsonText)")
                    #expect(waited >= .milliseconds(1700), "b was granted \(waited) into a 2 s cooldown")
                    let load = try await sharedLoad(redis)
                    #expect(load.used == 0, "a refused request costs nothing: \(load)")
                }
            }
        }

        @Test("an acquire Redis refuses for good is answered 502 with Redis's reason; the daemon carries on")
        func refusedByRedis() async throws {
            try await FakeUpstream.with(script: { _ in .json(ProviderFixtures.anthropicJSON(input: 1, output: 1)) }) { upstream in
                try await withClusterGateway(upstream: upstream) { redis, daemons, gateway in
                    let b = try daemons[1].client()
                    let held = try b.request(#"{"op":"acquire","tokens":1000}"#)
                    let ticket = try #require(held["ticket"]?.stringValue)
                    // Queueing numbers the waiter with INCR: a sequence that is no integer fails it.
                    let connection = try await RedisConnection.connect(to: redis.endpoint)
                    defer { connection.close() }
                    _ = try await connection.send(RESPCommand(["SET", "{tg:t}:seq", "not-a-number"]))
                    let response = try await gateway.post("/w/agent/v1/messages", ProviderFixtures.messagesBody)
                    #expect(response.status == 502, "\(response.text)")
                    #expect(response.headers.first(name: "x-tokengate-error") == "gateway")
                    #expect(response.json?["error"]?["message"]?.stringValue?.contains("refused it") == true, "\(response.text)")
                    #expect(upstream.recorded.isEmpty)
                    #expect(try gateway.status().waiting == 0)
                    #expect(try gateway.status().gateway?.errors == 1)
                    // Fixed: the next request waits for its grant as usual.
                    _ = try await connection.send(RESPCommand(["SET", "{tg:t}:seq", "100"]))
                    let next = Task { try await gateway.post("/w/agent/v1/messages", ProviderFixtures.messagesBody) }
                    #expect(await eventually { (try? await sharedLoad(redis).waiting) == 1 })
                    _ = try b.request(#"{"op":"report","ticket":"\#(ticket)","input":200,"output":0}"#)
                    #expect(try await next.value.status == 200)
                }
            }
        }

        @Test("Redis unreachable: a gateway request waits, a gateway report is kept; back: granted, each counted once")
        func redisDownAndBack() async throws {
            let served = NIOLockedValueBox(0)
            try await FakeUpstream.with(script: { _ in
                let number = served.withLockedValue { count in
                    count += 1
                    return count
                }
                // The first response's body comes 4 s after its head, while Redis is down.
                guard number == 1 else { return .json(ProviderFixtures.anthropicJSON(input: 100, output: 20)) }
                var slow = FakeUpstream.Reply.json(ProviderFixtures.anthropicJSON(input: 300, output: 50))
                slow.steps.insert(.wait(milliseconds: 4000), at: 0)
                return slow
            }) { upstream in
                try await withClusterGateway(upstream: upstream) { redis, daemons, gateway in
                    let first = Task { try await gateway.post("/w/early/v1/messages", ProviderFixtures.messagesBody) }
                    #expect(await eventually { upstream.recorded.count == 1 }, "the first request was granted and forwarded")
                    redis.kill9()
                    #expect(await eventually { (try? gateway.status().cluster?.state) == .unreachable })
                    let second = Task { try await gateway.post("/w/late/v1/messages", ProviderFixtures.messagesBody) }
                    #expect(await eventually { (try? gateway.status().waiting) == 1 })
                    let answered = try await first.value
                    #expect(answered.status == 200, "\(answered.text)")
                    #expect(await eventually { (try? gateway.status().cluster?.pending ?? 0) ?? 0 >= 1 }, "the first request's report is kept")
                    try await Task.sleep(for: .milliseconds(500))
                    #expect(upstream.recorded.count == 1, "nothing is granted while Redis is unreachable")
                    #expect(try gateway.status().waiting == 1)
                    try await redis.start()
                    let late = try await second.value
                    #expect(late.status == 200, "\(late.text)")
                    #expect(await eventually { (try? gateway.status().cluster?.pending) == 0 })
                    #expect(await eventually { (try? await sharedLoad(redis).used) == 350 + 120 })
                    try await Task.sleep(for: .milliseconds(1200))
                    let load = try await sharedLoad(redis)
                    #expect(load.used == 470 && load.reserved == 0 && load.waiting == 0, "\(load)\n\(daemons[0].log)")
                }
            }
        }
    }
}
