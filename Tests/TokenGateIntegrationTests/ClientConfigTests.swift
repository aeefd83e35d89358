import Foundation
import Testing
import TokenGateTestSupport
import TokenGateWire

extension OneAtATime {
    /// The config file's `socket` (and `state`) reach the commands that talk to the daemon:
    /// `--config FILE`, and the default file when it exists.
    @Suite("CLI: the config file reaches every command")
    struct ClientConfigTests {
        /// Runs `serve --config config` (no other socket), waits for `socket`, runs `body`, stops it.
        private func withConfiguredDaemon(
            config: String, socket: String, environment: [String: String], _ body: () async throws -> Void
        ) async throws {
            let logs = try TemporaryDirectory(prefix: "tg-cl")
            defer { logs.remove() }
            let daemon = try ChildProcess(
                [try TokenGateBinary.require(), "serve", "--config", config], environment: environment,
                stdout: logs.file("log"), stderr: logs.file("log"))
            defer { daemon.terminate(grace: 5) }
            let listening = await eventually(timeout: .seconds(15)) { UnixSocketProbe.accepts(socket) || !daemon.isRunning }
            let log = (try? String(contentsOfFile: logs.file("log"), encoding: .utf8)) ?? ""
            guard listening, daemon.isRunning else { throw TestFailure("the daemon did not listen on \(socket):\n\(log)") }
            try await body()
            #expect(daemon.terminate(grace: 5) == 0)
        }

        @Test("status, pause, resume, limit, report and history take --config FILE and find its socket and journal")
        func explicitConfig() async throws {
            let directory = try TemporaryDirectory(prefix: "tg-cc")
            defer { directory.remove() }
            let config = directory.file("serve.toml")
            try """
            socket = "d.sock"
            state = "usage.sqlite"
            window = 2
            """.write(toFile: config, atomically: true, encoding: .utf8)
            try await withConfiguredDaemon(config: config, socket: directory.file("d.sock"), environment: HermeticEnvironment.variables) {
                let withConfig = ["--config", config]
                let report = try await CommandRun.tokengate(["report", "--input", "40", "--output", "2", "--worker", "cfg"] + withConfig)
                #expect(report.status == 0, "\(report)")
                for command in [["pause"], ["resume"], ["limit", "600000"]] {
                    let run = try await CommandRun.tokengate(command + withConfig)
                    #expect(run.status == 0, "\(run)")
                }
                let status = try await CommandRun.tokengate(["status", "--json"] + withConfig)
                #expect(status.status == 0, "\(status)")
                let decoded = try Status.decode(json: Array(status.stdout.trimmingCharacters(in: .whitespacesAndNewlines).utf8))
                #expect(decoded.limit == 600_000)
                #expect(decoded.used == 42)
                #expect(try await eventually(timeout: .seconds(5)) {
                    let history = try await CommandRun.tokengate(["history", "--format", "csv"] + withConfig)
                    return history.status == 0 && history.stdout.contains("cfg")
                })
                // Without it, the commands look elsewhere (the hermetic runtime directory) and say how to fix it.
                let without = try await CommandRun.tokengate(["status"])
                #expect(without.status == 3, "\(without)")
                #expect(without.stderr.contains("TOKENGATE_SOCKET"), "\(without)")
            }
        }

        @Test("the default config file is read by serve and by every command, with no flag")
        func defaultConfig() async throws {
            let directory = try TemporaryDirectory(prefix: "tg-cd")
            defer { directory.remove() }
            try FileManager.default.createDirectory(atPath: directory.file("config/tokengate"), withIntermediateDirectories: true)
            let config = directory.file("config/tokengate/serve.toml")
            try """
            socket = "\(directory.file("default.sock"))"
            no-state = true
            limit = 123000
            """.write(toFile: config, atomically: true, encoding: .utf8)
            let overrides = ["XDG_CONFIG_HOME": directory.file("config")]
            let environment = HermeticEnvironment.variables.merging(overrides) { $1 }
            try await withConfiguredDaemon(config: config, socket: directory.file("default.sock"), environment: environment) {
                let status = try await CommandRun.tokengate(["status", "--json"], environment: overrides)
                #expect(status.status == 0, "\(status)")
                #expect(status.stdout.contains("\"limit\":123000"), "\(status)")
                let pause = try await CommandRun.tokengate(["pause"], environment: overrides)
                #expect(pause.stdoutLines == ["paused"], "\(pause)")
                // TOKENGATE_SOCKET wins over the default file (an explicit --config wins over both).
                let elsewhere = try await CommandRun.tokengate(
                    ["status"], environment: overrides.merging(["TOKENGATE_SOCKET": directory.file("none.sock")]) { $1 })
                #expect(elsewhere.status == 3, "\(elsewhere)")
                let history = try await CommandRun.tokengate(["history"], environment: overrides)
                #expect(history.status == 1, "\(history)")
                #expect(history.stderr.contains("no-state"), "\(history)")
            }
            // serve with no flags reads the default file too: it listens on the file's socket.
            let logs = try TemporaryDirectory(prefix: "tg-cl")
            defer { logs.remove() }
            let daemon = try ChildProcess(
                [try TokenGateBinary.require(), "serve"], environment: environment, stdout: logs.file("log"), stderr: logs.file("log"))
            defer { daemon.terminate(grace: 5) }
            #expect(await eventually(timeout: .seconds(15)) { UnixSocketProbe.accepts(directory.file("default.sock")) })
            // SIGTERM stops it gracefully once its service group runs (before, the signal kills it).
            #expect(await eventually(timeout: .seconds(15)) {
                (try? String(contentsOfFile: logs.file("log"), encoding: .utf8))?.contains("ready: SIGTERM") == true
            })
            #expect(daemon.terminate(grace: 5) == 0)
        }
    }
}
