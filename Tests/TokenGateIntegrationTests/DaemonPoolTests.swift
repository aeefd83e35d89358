import Foundation
import Testing
import TokenGateTestSupport
import TokenGateWire

extension OneAtATime {
    /// Contract v2 pools against the real binary: one daemon, one limit per model class.
    @Suite("Daemon: pools")
    struct DaemonPoolTests {
        static let pools = [
            "--limit", "1000", "--threshold", "1",
            "--pool", "opus:models=claude-opus-*,limit=100",
            "--pool", "sonnet:models=claude-sonnet-*|*sonnet*,limit=500,threshold=0.8",
        ]

        static func pool(_ status: Status, _ name: String) throws -> PoolStatus {
            try #require(status.pools?.first { $0.name == name }, "no pool \(name) in \(String(describing: status.pools))")
        }

        @Test("a model picks its pool, a named pool wins, an unknown pool is bad_request; status lists every pool")
        func routingAndStatus() async throws {
            try await DaemonProcess.with(arguments: Self.pools) { daemon in
                let client = try LineClient(path: daemon.socketPath)
                _ = try client.request(#"{"op":"hello","v":1,"worker":"w1"}"#)
                #expect(try client.request(#"{"op":"acquire","tokens":90,"model":"claude-opus-4-1"}"#)["ticket"] != nil)
                // 90 + 20 > 100 in opus, though default and sonnet have room.
                let full = try client.request(#"{"op":"acquire","tokens":20,"model":"claude-opus-4-1","timeout_ms":50}"#)
                #expect(full["error"]?.stringValue == "timeout")
                #expect(try client.request(#"{"op":"acquire","tokens":400,"pool":"sonnet"}"#)["ticket"] != nil)
                let unknown = try client.request(#"{"op":"acquire","tokens":1,"pool":"haiku"}"#)
                #expect(unknown["error"]?.stringValue == "bad_request")
                #expect(unknown["message"]?.stringValue?.contains("pools: default, opus, sonnet") == true)
                #expect(try client.request(#"{"op":"report","input":30,"output":10,"model":"my-sonnet-tune"}"#)["ok"]?.boolValue == true)
                let status = try client.status()
                #expect(status.pools?.map(\.name) == ["default", "opus", "sonnet"])
                #expect(status.limit == 1000 && status.used == 0 && status.reserved == 0, "the v1 fields describe default")
                let opus = try Self.pool(status, "opus")
                #expect(opus.models == ["claude-opus-*"] && opus.limit == 100 && opus.reserved == 90 && opus.inFlight == 1)
                let sonnet = try Self.pool(status, "sonnet")
                #expect(sonnet.threshold == 0.8 && sonnet.used == 40 && sonnet.reserved == 400)
                let worker = try #require(status.workers.first { $0.worker == "w1" })
                #expect(worker.inFlight == 2 && worker.used == 40 && worker.poolUsed == ["sonnet": 40])
            }
        }

        @Test("a 429 cools only its pool; pause --pool stops one pool, pause without one stops all")
        func cooldownAndPausePerPool() async throws {
            try await DaemonProcess.with(arguments: Self.pools) { daemon in
                let client = try LineClient(path: daemon.socketPath)
                #expect(try client.request(#"{"op":"throttled","retry_after_ms":10000,"model":"claude-sonnet-4-5"}"#)["ok"]?.boolValue == true)
                var status = try client.status()
                #expect(try Self.pool(status, "sonnet").state == .cooldown)
                #expect(try Self.pool(status, "opus").state == .running && status.state == .running)
                #expect(try client.request(#"{"op":"acquire","tokens":5,"pool":"opus","timeout_ms":1000}"#)["ticket"] != nil)

                let paused = try await CommandRun.tokengate(["pause", "--pool", "opus", "--socket", daemon.socketPath])
                #expect(paused.status == 0 && paused.stdout == "paused\n", "\(paused)")
                status = try client.status()
                #expect(try Self.pool(status, "opus").state == .paused && status.state == .running)
                let all = try await CommandRun.tokengate(["pause", "--socket", daemon.socketPath])
                #expect(all.status == 0, "\(all)")
                status = try client.status()
                #expect(status.pools?.allSatisfy { $0.state == .paused } == true, "\(String(describing: status.pools))")
                let limit = try await CommandRun.tokengate(["limit", "300", "--pool", "opus", "--socket", daemon.socketPath])
                #expect(limit.stdout.hasPrefix("pool opus: limit 300 tokens"), "\(limit)")
                #expect(try Self.pool(try client.status(), "opus").limit == 300)
                #expect(try client.status().limit == 1000)
            }
        }

        @Test("a bad pool declaration stops serve with exit 2 and one line naming it", arguments: [
            ("a:models=claude-*,limit=10", "b:models=claude-sonnet-*,limit=5", "glob 'claude-sonnet-*' of pool 'b' can never match"),
            ("a:models=x,limit=10", "a:models=y,limit=5", "pool 'a' is declared twice"),
            ("a:models=x,limt=10", "b:models=y,limit=5", "unknown or malformed 'limt=10'"),
            ("a:limit=10", "b:models=y,limit=5", "models=GLOB|GLOB is required"),
            ("default:models=x,limit=10", "b:models=y,limit=5", "pool name 'default' must be"),
        ])
        func badDeclaration(first: String, second: String, message: String) async throws {
            let directory = try TemporaryDirectory(prefix: "tg-pl")
            defer { directory.remove() }
            let run = try await CommandRun.tokengate([
                "serve", "--socket", directory.file("s.sock"), "--no-state", "--pool", first, "--pool", second,
            ])
            #expect(run.status == 2, "\(run)")
            #expect(run.stderr.contains(message), "\(run)")
            #expect(!FileManager.default.fileExists(atPath: directory.file("s.sock")))
        }

        @Test("the CLI's --pool on resume, acquire and report acts in that pool; an unknown one exits 1 naming the pools")
        func commandLinePool() async throws {
            try await DaemonProcess.with(arguments: Self.pools) { daemon in
                let socket = ["--socket", daemon.socketPath]
                let client = try LineClient(path: daemon.socketPath)
                _ = try await CommandRun.tokengate(["pause"] + socket)
                let resumed = try await CommandRun.tokengate(["resume", "--pool", "sonnet"] + socket)
                #expect(resumed.status == 0 && resumed.stdout == "running\n", "\(resumed)")
                var status = try client.status()
                #expect(try Self.pool(status, "sonnet").state == .running)
                #expect(try Self.pool(status, "opus").state == .paused && status.state == .paused, "the others stay paused")

                let report = try await CommandRun.tokengate(["report", "--pool", "sonnet", "--input", "30", "--output", "5"] + socket)
                #expect(report.status == 0, "\(report)")
                let acquire = try await CommandRun.tokengate(["acquire", "--pool", "sonnet", "--tokens", "20"] + socket)
                #expect(acquire.status == 0 && !acquire.stdout.isEmpty, "\(acquire)")
                status = try client.status()
                #expect(try Self.pool(status, "sonnet").used == 35 && status.used == 0, "the report counted in sonnet")

                let unknown = try await CommandRun.tokengate(["report", "--pool", "haiku", "--input", "1", "--output", "1"] + socket)
                #expect(unknown.status == 1, "\(unknown)")
                #expect(unknown.stderr.contains("default, opus, sonnet"), "\(unknown.stderr)")
            }
        }

        @Test("[pools.NAME] tables in the config file declare pools in their order")
        func poolsFromConfigFile() async throws {
            let directory = try TemporaryDirectory(prefix: "tg-pl")
            defer { directory.remove() }
            let config = directory.file("serve.toml")
            try """
            limit = 2000

            [pools.sonnet]
            models = ["claude-sonnet-*"]
            limit = 700
            input-limit = 500

            [pools.haiku]
            models = ["claude-haiku-*", "*haiku*"]
            limit = 300
            threshold = 0.5
            """.write(toFile: config, atomically: true, encoding: .utf8)
            try await DaemonProcess.with(arguments: ["--config", config]) { daemon in
                let status = try LineClient(path: daemon.socketPath).status()
                #expect(status.pools?.map(\.name) == ["default", "sonnet", "haiku"])
                let sonnet = try Self.pool(status, "sonnet")
                #expect(sonnet.limit == 700 && sonnet.budgets.first { $0.name == "input" }?.limit == 500)
                #expect(try Self.pool(status, "haiku").threshold == 0.5)
            }
        }
    }
}
