import AsyncHTTPClient
import Foundation
import NIOCore
import Testing
import TokenGateTestSupport
import TokenGateWire

/// The gateway under many streams, slow streams, a TLS upstream, and the secrets it carries.
@Suite("Gateway: streams, TLS and keys", .serialized)
struct GatewayLoadTests {
    @Test("64 concurrent streams all come back whole and are all reported")
    func concurrentStreams() async throws {
        let events = ProviderFixtures.anthropicEvents(input: 100, output: 20, deltas: 10)
        try await FakeUpstream.with(script: { _ in .events(events, gapMilliseconds: 10) }) { upstream in
            // A window longer than the test on a loaded machine: no report slides out before the check.
            try await GatewayHarness.with(upstream: upstream.url, base: ["--window", "60", "--no-state"]) { gateway in
                let bodies = try await withThrowingTaskGroup(of: (Int, String).self) { group in
                    for index in 0..<64 {
                        group.addTask {
                            let response = try await gateway.post("/w/s\(index)/v1/messages", ProviderFixtures.streamBody)
                            return (response.status, response.text)
                        }
                    }
                    var results: [(Int, String)] = []
                    for try await result in group { results.append(result) }
                    return results
                }
                #expect(bodies.count == 64)
                #expect(bodies.allSatisfy { $0.0 == 200 && $0.1 == events.joined() })
                let status = try gateway.status()
                #expect(status.used == 64 * 120)
                #expect(status.reserved == 0)
                #expect(status.workers.count == 64)
                #expect(status.gateway?.requests == 64)
                #expect(status.gateway?.inFlight == 0)
            }
        }
    }

    @Test("a slow stream is relayed as it arrives, not when it ends")
    func slowStream() async throws {
        let events = ProviderFixtures.anthropicEvents(input: 10, output: 3, deltas: 2)
        try await FakeUpstream.with(script: { _ in .events(events, gapMilliseconds: 150) }) { upstream in
            try await GatewayHarness.with(upstream: upstream.url) { gateway in
                var request = HTTPClientRequest(url: gateway.base + "/v1/messages")
                request.method = .POST
                request.body = .bytes(ByteBuffer(string: ProviderFixtures.streamBody))
                let started = ContinuousClock.now
                let response = try await gateway.client.execute(request, timeout: .seconds(30))
                var arrivals: [Duration] = []
                var text = ""
                for try await chunk in response.body {
                    arrivals.append(ContinuousClock.now - started)
                    text += String(buffer: chunk)
                }
                #expect(text == events.joined())
                let first = try #require(arrivals.first)
                let last = try #require(arrivals.last)
                #expect(first < .milliseconds(140), "the first event came before the second was sent")
                #expect(last >= .milliseconds(150 * (events.count - 1)))
                #expect(arrivals.count >= events.count, "one chunk (at least) per event: nothing was held back")
            }
        }
    }

    @Test("a TLS upstream with a self-signed certificate is trusted with --upstream-ca, refused without")
    func tlsUpstream() async throws {
        let directory = try TemporaryDirectory(prefix: "tg-tls")
        defer { directory.remove() }
        let certificate = directory.file("cert.pem")
        let key = directory.file("key.pem")
        let openssl = try #require(
            ["/usr/bin/openssl", "/usr/local/bin/openssl", "/bin/openssl"].first { FileManager.default.isExecutableFile(atPath: $0) },
            "openssl makes the test's certificate"
        )
        let made = try await CommandRun.run(
            openssl,
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", certificate, "-days", "1",
                "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            ]
        )
        try #require(made.status == 0, "openssl: \(made.stderr)")
        let reply = ProviderFixtures.anthropicJSON(input: 11, output: 22)
        try await FakeUpstream.with(tls: (certificate, key), script: { _ in .json(reply) }) { upstream in
            #expect(upstream.url.hasPrefix("https://"))
            try await GatewayHarness.with(upstream: upstream.url, arguments: ["--upstream-ca", certificate]) { gateway in
                let response = try await gateway.post("/w/tls/v1/messages", ProviderFixtures.messagesBody)
                #expect(response.status == 200)
                #expect(response.text == reply)
                #expect(try gateway.worker("tls")?.used == 33)
            }
            try await GatewayHarness.with(upstream: upstream.url) { gateway in
                let response = try await gateway.post("/w/tls/v1/messages", ProviderFixtures.messagesBody)
                #expect(response.status == 502, "an untrusted certificate is refused")
                #expect(try gateway.status().used == 0)
            }
        }
    }

    @Test("API keys and authorization pass through untouched and appear in no log, status or journal")
    func keysAppearNowhere() async throws {
        let apiKey = "sk-ant-api03-SECRETKEYVALUE-0123456789"
        let bearer = "Bearer sk-proj-SECRETBEARER-9876543210"
        let state = try TemporaryDirectory(prefix: "tg-keys")
        defer { state.remove() }
        let journal = state.file("usage.sqlite")
        try await FakeUpstream.with(script: { recorded in
            if recorded.uri.hasPrefix("/v1/models") { return .json(#"{"data":[]}"#) }
            if recorded.bodyText.contains("\"max_tokens\":65") {
                return .json(#"{"type":"error"}"#, status: 429, headers: [("retry-after", "0")])
            }
            return recorded.bodyText.contains("\"stream\":true")
                ? .events(ProviderFixtures.anthropicEvents(input: 5, output: 5)) : .json(ProviderFixtures.anthropicJSON(input: 5, output: 5))
        }) { upstream in
            try await GatewayHarness.with(upstream: upstream.url, arguments: ["--log-level", "trace", "--state", journal], base: ["--window", "2"]) { gateway in
                let headers = [("x-api-key", apiKey), ("authorization", bearer)]
                #expect(try await gateway.post("/w/k/v1/messages", ProviderFixtures.messagesBody, headers: headers).status == 200)
                #expect(try await gateway.post("/w/k/v1/messages", ProviderFixtures.streamBody, headers: headers).status == 200)
                let refused = ProviderFixtures.messagesBody.replacingOccurrences(of: "\"max_tokens\":64", with: "\"max_tokens\":65")
                #expect(try await gateway.post("/w/k/v1/messages", refused, headers: headers).status == 429)
                var models = HTTPClientRequestBuilder.get(gateway.base + "/w/k/v1/models")
                for (name, value) in headers { models.headers.add(name: name, value: value) }
                _ = try await gateway.client.execute(models, timeout: .seconds(10))
                #expect(upstream.recorded.count == 4)
                for sent in upstream.recorded {
                    #expect(sent.header("x-api-key") == apiKey, "passed through untouched")
                    #expect(sent.header("authorization") == bearer)
                }
                let statusText = try LineClient(path: gateway.daemon.socketPath).status().encoded().text
                try await Task.sleep(for: .milliseconds(300))
                gateway.daemon.stop()
                var places = ["status": statusText, "log": gateway.daemon.log]
                for suffix in ["", "-wal", "-shm"] {
                    if let data = FileManager.default.contents(atPath: journal + suffix) {
                        places["journal" + suffix] = String(decoding: data, as: UTF8.self)
                    }
                }
                let journaled = (places["journal"] ?? "") + (places["journal-wal"] ?? "")
                #expect(journaled.contains("claude-sonnet-4-5"), "the journal holds the gateway's reports (with their model)")
                for (place, text) in places {
                    for secret in ["SECRETKEYVALUE", "SECRETBEARER"] {
                        #expect(!text.contains(secret), "\(secret) in the \(place)")
                    }
                }
            }
        }
    }
}
