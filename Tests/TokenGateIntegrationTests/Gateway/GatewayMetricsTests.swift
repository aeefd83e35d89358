import Foundation
import Testing
import TokenGateTestSupport

extension OneAtATime {
    /// `serve --gateway ... --metrics`: the gateway's requests, errors and upstream latency.
    @Suite("Gateway: metrics")
    struct GatewayMetricsTests {
        @Test("requests, errors, in flight and the upstream's latency are scraped")
        func scraped() async throws {
            try await FakeUpstream.with(script: { _ in .json(ProviderFixtures.anthropicJSON(input: 3, output: 4)) }) { upstream in
                try await GatewayHarness.with(upstream: upstream.url, arguments: ["--metrics", "0"]) { gateway in
                    #expect(try await gateway.post("/v1/messages", ProviderFixtures.messagesBody).status == 200)
                    #expect(try await gateway.post("/v1/messages", "{bad").status == 400)
                    // The gateway lowers its in-flight count just after the last byte has gone out.
                    #expect(await eventually { (try? gateway.status().gateway?.inFlight) == 0 })
                    guard let range = gateway.daemon.log.range(of: "metrics=http://127.0.0.1:"),
                        let port = Int(gateway.daemon.log[range.upperBound...].prefix { $0.isNumber })
                    else { throw TestFailure("no metrics address in the log") }
                    let metrics = try PrometheusText(parsing: try HTTPResponse.fetch(port: port, path: "/metrics").body)
                    #expect(metrics.types["tokengate_gateway_requests_total"] == "counter")
                    #expect(metrics.value("tokengate_gateway_requests_total") == 2)
                    #expect(metrics.value("tokengate_gateway_errors_total") == 1)
                    #expect(metrics.value("tokengate_gateway_in_flight") == 0)
                    #expect(metrics.value("tokengate_gateway_upstream_responses_total") == 1)
                    let latency = try #require(metrics.value("tokengate_gateway_upstream_latency_seconds_total"))
                    #expect(latency > 0 && latency < 5)
                }
            }
        }
    }
}
