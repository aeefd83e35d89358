import Foundation
import Testing
import TokenGateTestSupport
import TokenGateWire

extension OneAtATime {
    /// `tokengate serve --metrics`: a real HTTP scrape of the real daemon, parsed as the Prometheus
    /// text format. The daemon binds port 0 and logs the port it got, so tests never race for one.
    @Suite("Daemon: Prometheus metrics")
    struct DaemonMetricsTests {
        /// Starts a daemon with `--metrics 0`, waits for the port it logs, runs `body`.
        private func withMetricsDaemon(
            arguments: [String] = [], _ body: (DaemonProcess, Int) async throws -> Void
        ) async throws {
            try await DaemonProcess.with(arguments: ["--metrics", "0"] + arguments) { daemon in
                var port: Int?
                _ = await eventually {
                    port = Self.metricsPort(in: daemon.log)
                    return port != nil
                }
                guard let port else { throw TestFailure("no metrics address in the log:\n\(daemon.log)") }
                try await body(daemon, port)
            }
        }

        private static func metricsPort(in log: String) -> Int? {
            guard let range = log.range(of: "metrics=http://127.0.0.1:") else { return nil }
            return Int(log[range.upperBound...].prefix { $0.isNumber })
        }

        private func scrape(_ port: Int) throws -> PrometheusText {
            let response = try HTTPResponse.fetch(port: port, path: "/metrics")
            #expect(response.status == 200)
            #expect(response.headers["content-type"]?.hasPrefix("text/plain; version=0.0.4") == true)
            return try PrometheusText(parsing: response.body)
        }

        @Test("every metric is declared with its type, labels and starting values")
        func namesTypesAndLabels() async throws {
            try await withMetricsDaemon(arguments: ["--limit", "10000", "--requests-limit", "50", "--threshold", "0.8"]) { _, port in
                let metrics = try scrape(port)
                let expectedTypes = [
                    "tokengate_budget_limit": "gauge", "tokengate_budget_capacity": "gauge", "tokengate_budget_used": "gauge",
                    "tokengate_budget_reserved": "gauge", "tokengate_budget_external": "gauge", "tokengate_waiting": "gauge",
                    "tokengate_in_flight": "gauge", "tokengate_worker_used_tokens": "gauge", "tokengate_state": "gauge",
                    "tokengate_threshold": "gauge", "tokengate_window_seconds": "gauge", "tokengate_connections": "gauge",
                    "tokengate_uptime_seconds": "gauge", "tokengate_cooldown_remaining_seconds": "gauge",
                    "tokengate_build_info": "gauge", "tokengate_grants_total": "counter", "tokengate_reports_total": "counter",
                    "tokengate_releases_total": "counter", "tokengate_timeouts_total": "counter",
                    "tokengate_throttles_total": "counter", "tokengate_rejected_requests_total": "counter",
                    "tokengate_reported_tokens_total": "counter", "tokengate_grant_wait_seconds": "histogram",
                ]
                for (name, type) in expectedTypes {
                    #expect(metrics.types[name] == type, "\(name)")
                }
                #expect(metrics.value("tokengate_budget_limit", ["pool": "default", "budget": "tokens"]) == 10_000)
                #expect(metrics.value("tokengate_budget_capacity", ["pool": "default", "budget": "tokens"]) == 8_000)
                #expect(metrics.value("tokengate_budget_limit", ["pool": "default", "budget": "requests"]) == 50)
                #expect(metrics.value("tokengate_budget_limit", ["pool": "default", "budget": "input"]) == nil, "an unset budget has no series")
                #expect(metrics.value("tokengate_threshold", ["pool": "default"]) == 0.8)
                #expect(metrics.value("tokengate_window_seconds") == 2)
                #expect(metrics.value("tokengate_state", ["pool": "default", "state": "running"]) == 1)
                #expect(metrics.value("tokengate_state", ["pool": "default", "state": "paused"]) == 0)
                for code in ["bad_json", "bad_request", "unknown_op", "line_too_long", "forbidden", "unknown_ticket", "shutting_down"] {
                    #expect(metrics.value("tokengate_rejected_requests_total", ["code": code]) == 0, "\(code)")
                }
                #expect(metrics.value("tokengate_rejected_requests_total", ["code": "timeout"]) == nil)
                #expect(metrics.value("tokengate_grants_total", ["pool": "default"]) == 0)
                #expect(metrics.value("tokengate_grant_wait_seconds_count", ["pool": "default"]) == 0)
                #expect(metrics.value("tokengate_grant_wait_seconds_bucket", ["pool": "default", "le": "+Inf"]) == 0)
                #expect(metrics.value("tokengate_worker_used_tokens", ["pool": "default", "worker": "(other)"]) == 0)
            }
        }

        @Test("values change after acquire, report, release, errors, a 429 and a timeout")
        func valuesFollowOperations() async throws {
            try await withMetricsDaemon(arguments: ["--limit", "10000"]) { daemon, port in
                let client = try LineClient(path: daemon.socketPath)
                _ = try client.request(#"{"op":"hello","worker":"alpha","v":1}"#)
                let grant = try client.request(#"{"op":"acquire","tokens":1000}"#)
                let ticket = try #require(grant["ticket"]?.stringValue)

                var metrics = try scrape(port)
                #expect(metrics.value("tokengate_grants_total", ["pool": "default"]) == 1)
                #expect(metrics.value("tokengate_grant_wait_seconds_count", ["pool": "default"]) == 1)
                #expect(metrics.value("tokengate_budget_reserved", ["pool": "default", "budget": "tokens"]) == 1000)
                #expect(metrics.value("tokengate_in_flight", ["pool": "default"]) == 1)
                #expect(metrics.value("tokengate_connections") == 1)

                _ = try client.request(#"{"op":"report","ticket":"\#(ticket)","input":300,"output":200,"cache_read":40}"#)
                metrics = try scrape(port)
                #expect(metrics.value("tokengate_reports_total", ["pool": "default"]) == 1)
                #expect(metrics.value("tokengate_budget_used", ["pool": "default", "budget": "tokens"]) == 500)
                #expect(metrics.value("tokengate_budget_reserved", ["pool": "default", "budget": "tokens"]) == 0)
                #expect(metrics.value("tokengate_in_flight", ["pool": "default"]) == 0)
                #expect(metrics.value("tokengate_worker_used_tokens", ["pool": "default", "worker": "alpha"]) == 500)
                #expect(metrics.value("tokengate_reported_tokens_total", ["pool": "default", "kind": "input"]) == 300)
                #expect(metrics.value("tokengate_reported_tokens_total", ["pool": "default", "kind": "output"]) == 200)
                #expect(metrics.value("tokengate_reported_tokens_total", ["pool": "default", "kind": "cache_read"]) == 40)

                let second = try client.request(#"{"op":"acquire","tokens":10}"#)
                _ = try client.request(#"{"op":"release","ticket":"\#(second["ticket"]?.stringValue ?? "")"}"#)
                _ = try client.request(#"{"op":"release","ticket":"nope-1"}"#)
                try client.send("{not json")
                _ = try client.readLine()
                _ = try client.request(#"{"op":"fly"}"#)
                _ = try client.request(#"{"op":"throttled","retry_after_ms":60000}"#)
                let timedOut = try client.request(#"{"op":"acquire","tokens":10,"timeout_ms":20}"#)
                #expect(timedOut["error"]?.stringValue == "timeout")

                metrics = try scrape(port)
                #expect(metrics.value("tokengate_releases_total", ["pool": "default"]) == 1)
                #expect(metrics.value("tokengate_rejected_requests_total", ["code": "unknown_ticket"]) == 1)
                #expect(metrics.value("tokengate_rejected_requests_total", ["code": "bad_json"]) == 1)
                #expect(metrics.value("tokengate_rejected_requests_total", ["code": "unknown_op"]) == 1)
                #expect(metrics.value("tokengate_throttles_total", ["pool": "default"]) == 1)
                #expect(metrics.value("tokengate_timeouts_total", ["pool": "default"]) == 1)
                #expect(metrics.value("tokengate_state", ["pool": "default", "state": "cooldown"]) == 1)
                #expect((metrics.value("tokengate_cooldown_remaining_seconds", ["pool": "default"]) ?? 0) > 50)
            }
        }

        @Test("a queued acquire shows as waiting, and its grant lands in the wait histogram")
        func waitingAndWaitHistogram() async throws {
            try await withMetricsDaemon(arguments: ["--limit", "1000", "--threshold", "1"]) { daemon, port in
                let client = try LineClient(path: daemon.socketPath)
                _ = try client.request(#"{"op":"report","input":900,"output":0,"worker":"filler"}"#)
                try client.send(#"{"op":"acquire","tokens":500,"id":"late"}"#)
                #expect(try await eventually { try scrape(port).value("tokengate_waiting", ["pool": "default"]) == 1 })
                // The 900 tokens leave the 2 s window; the waiter is granted then.
                let reply = try client.readReply(timeout: 10)
                #expect(reply["id"]?.stringValue == "late")
                let metrics = try scrape(port)
                #expect(metrics.value("tokengate_waiting", ["pool": "default"]) == 0)
                #expect(metrics.value("tokengate_grant_wait_seconds_count", ["pool": "default"]) == 1)
                #expect((metrics.value("tokengate_grant_wait_seconds_sum", ["pool": "default"]) ?? 0) > 0.5)
                #expect(metrics.value("tokengate_grant_wait_seconds_bucket", ["pool": "default", "le": "0.1"]) == 0)
                #expect(metrics.value("tokengate_grant_wait_seconds_bucket", ["pool": "default", "le": "5.0"]) == 1)
            }
        }

        @Test("every per-pool series carries its pool; the daemon's own series carry none")
        func poolLabels() async throws {
            let pools = ["--limit", "10000", "--pool", "opus:models=claude-opus-*,limit=2000,threshold=0.5"]
            try await withMetricsDaemon(arguments: pools) { daemon, port in
                let client = try LineClient(path: daemon.socketPath)
                _ = try client.request(#"{"op":"hello","worker":"alpha","v":1}"#)
                let grant = try client.request(#"{"op":"acquire","tokens":300,"model":"claude-opus-4-1"}"#)
                let ticket = try #require(grant["ticket"]?.stringValue)
                _ = try client.request(#"{"op":"report","ticket":"\#(ticket)","input":250,"output":30}"#)
                _ = try client.request(#"{"op":"report","input":70,"output":0}"#)
                _ = try client.request(#"{"op":"throttled","retry_after_ms":60000,"pool":"opus"}"#)

                let metrics = try scrape(port)
                let opus = ["pool": "opus"]
                let main = ["pool": "default"]
                #expect(metrics.value("tokengate_budget_limit", ["pool": "opus", "budget": "tokens"]) == 2000)
                #expect(metrics.value("tokengate_budget_limit", ["pool": "default", "budget": "tokens"]) == 10_000)
                #expect(metrics.value("tokengate_budget_used", ["pool": "opus", "budget": "tokens"]) == 280)
                #expect(metrics.value("tokengate_budget_used", ["pool": "default", "budget": "tokens"]) == 70)
                #expect(metrics.value("tokengate_threshold", opus) == 0.5)
                #expect(metrics.value("tokengate_grants_total", opus) == 1 && metrics.value("tokengate_grants_total", main) == 0)
                #expect(metrics.value("tokengate_reports_total", opus) == 1 && metrics.value("tokengate_reports_total", main) == 1)
                #expect(metrics.value("tokengate_reported_tokens_total", ["pool": "opus", "kind": "input"]) == 250)
                #expect(metrics.value("tokengate_grant_wait_seconds_count", opus) == 1)
                #expect(metrics.value("tokengate_throttles_total", opus) == 1 && metrics.value("tokengate_throttles_total", main) == 0)
                #expect(metrics.value("tokengate_state", ["pool": "opus", "state": "cooldown"]) == 1)
                #expect(metrics.value("tokengate_state", ["pool": "default", "state": "running"]) == 1)
                #expect(metrics.value("tokengate_worker_used_tokens", ["pool": "opus", "worker": "alpha"]) == 280)
                #expect(metrics.value("tokengate_worker_used_tokens", ["pool": "default", "worker": "alpha"]) == 70)
                // The daemon's own series.
                #expect(metrics.value("tokengate_window_seconds") == 2)
                #expect(metrics.value("tokengate_connections") == 1)
                #expect(metrics.samples(named: "tokengate_uptime_seconds").map(\.labels) == [[:]])
                #expect(metrics.value("tokengate_rejected_requests_total", ["code": "bad_request"]) == 0)
                // Every per-pool family has a series for each pool, and none without one.
                let perPool = [
                    "tokengate_state", "tokengate_waiting", "tokengate_in_flight", "tokengate_threshold",
                    "tokengate_cooldown_remaining_seconds", "tokengate_budget_limit", "tokengate_budget_used",
                    "tokengate_worker_used_tokens", "tokengate_grants_total", "tokengate_reports_total", "tokengate_releases_total",
                    "tokengate_timeouts_total", "tokengate_throttles_total", "tokengate_reported_tokens_total",
                    "tokengate_grant_wait_seconds_count",
                ]
                for name in perPool {
                    let labelled = Set(metrics.samples(named: name).map { $0.labels["pool"] ?? "(none)" })
                    #expect(labelled == ["default", "opus"], "\(name): \(labelled)")
                }
            }
        }

        @Test("workers beyond the top ten are summed as (other)")
        func workerCardinalityIsBounded() async throws {
            try await withMetricsDaemon { daemon, port in
                let client = try LineClient(path: daemon.socketPath)
                for index in 1...14 {
                    _ = try client.request(#"{"op":"report","input":\#(index * 100),"output":0,"worker":"w\#(index)"}"#)
                }
                let workers = try scrape(port).samples(named: "tokengate_worker_used_tokens")
                #expect(workers.count == 11)
                let byName = Dictionary(uniqueKeysWithValues: workers.compactMap { sample in
                    sample.labels["worker"].map { ($0, sample.value) }
                })
                #expect(byName["w14"] == 1400)
                #expect(byName["w5"] == 500)
                #expect(byName["w4"] == nil)
                #expect(byName["(other)"] == 1000.0, "w1 to w4: 100 + 200 + 300 + 400")
            }
        }

        @Test("other paths are 404, other methods 405, HEAD has no body")
        func httpEdges() async throws {
            try await withMetricsDaemon { _, port in
                #expect(try HTTPResponse.fetch(port: port, path: "/nope").status == 404)
                #expect(try HTTPResponse.fetch(port: port, path: "/metrics", method: "POST").status == 405)
                let head = try HTTPResponse.fetch(port: port, path: "/metrics", method: "HEAD")
                #expect(head.status == 200)
                #expect(head.body.isEmpty)
            }
        }

        @Test("bad --metrics values are usage errors (exit 2) that say what is wrong")
        func badMetricsValues() async throws {
            for value in ["abc", "127.0.0.1:70000", "::1:9000", "host:", "[::1]9000"] {
                let run = try await CommandRun.tokengate(["serve", "--no-state", "--socket", "/tmp/unused.sock", "--metrics", value])
                #expect(run.status == 2, "\(value): \(run)")
                #expect(run.stderr.contains("invalid metrics address"), "\(value): \(run.stderr)")
            }
        }

        @Test("a metrics port in use stops the daemon at start with one line and exit 1")
        func portInUse() async throws {
            try await withMetricsDaemon { daemon, port in
                let second = try await CommandRun.tokengate(
                    ["serve", "--no-state", "--socket", daemon.directory.file("second.sock"), "--metrics", "127.0.0.1:\(port)"],
                    timeout: 20
                )
                #expect(second.status == 1, "\(second)")
                #expect(second.stderr.contains("cannot serve metrics on 127.0.0.1:\(port)"), "\(second.stderr)")
            }
        }
    }
}
