import Foundation
import Testing
import TokenGateTestSupport
import TokenGateWire

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension OneAtATime {
    /// A daemon started with no flags at all is found by `status`, `top` and `history` with no flags,
    /// from any directory: every default path (socket and journal) comes from the environment, never
    /// from the working directory.
    @Suite("Daemon: default paths")
    struct DefaultPathsTests {
        /// Runs `tokengate serve` with no flags in `environment`, waits for `socket`, runs `body`, and
        /// always stops the daemon.
        private func withDefaultDaemon(
            environment: [String: String], socket: String, _ body: () async throws -> Void
        ) async throws {
            let logs = try TemporaryDirectory(prefix: "tg-dl")
            defer { logs.remove() }
            let daemon = try ChildProcess(
                [try TokenGateBinary.require(), "serve"], environment: environment, stdout: logs.file("log"), stderr: logs.file("log")
            )
            defer { daemon.terminate(grace: 5) }
            let listening = await eventually(timeout: .seconds(15)) { UnixSocketProbe.accepts(socket) || !daemon.isRunning }
            let log = (try? String(contentsOfFile: logs.file("log"), encoding: .utf8)) ?? ""
            guard listening, daemon.isRunning else { throw TestFailure("the default daemon did not listen on \(socket):\n\(log)") }
            try await body()
            #expect(daemon.terminate(grace: 5) == 0)
        }

        /// `tokengate ARGS` run from `directory` (through /bin/sh, so the working directory differs
        /// from the daemon's).
        private func run(_ arguments: [String], in directory: String, environment: [String: String]) async throws -> CommandRun {
            let binary = try TokenGateBinary.require()
            let command = "cd '\(directory)' && exec '\(binary)' " + arguments.joined(separator: " ")
            return try await CommandRun.run("/bin/sh", ["-c", command], environment: environment, timeout: 30)
        }

        /// The tests' hermetic environment without any tokengate socket, runtime or state path, plus
        /// `extra` (`HOME` stays the hermetic one, so the journal's fallback is not the user's).
        private func environment(_ extra: [String: String]) -> [String: String] {
            var environment = HermeticEnvironment.variables
            for name in ["TOKENGATE_SOCKET", "XDG_RUNTIME_DIR", "XDG_STATE_HOME"] { environment[name] = nil }
            return environment.merging(extra) { $1 }
        }

        @Test("with $XDG_RUNTIME_DIR: status, top and history find the daemon from another directory")
        func runtimeDirectory() async throws {
            let runtime = try TemporaryDirectory(prefix: "tg-xr")
            let state = try TemporaryDirectory(prefix: "tg-xs")
            let elsewhere = try TemporaryDirectory(prefix: "tg-cwd")
            defer {
                runtime.remove()
                state.remove()
                elsewhere.remove()
            }
            let environment = environment(["XDG_RUNTIME_DIR": runtime.path, "XDG_STATE_HOME": state.path])
            // CommandRun merges into its own environment; an empty value removes a variable.
            let clientEnvironment = ["TOKENGATE_SOCKET": "", "XDG_RUNTIME_DIR": runtime.path, "XDG_STATE_HOME": state.path]
            try await withDefaultDaemon(environment: environment, socket: runtime.file("tokengate.sock")) {
                let report = try await run(["report", "--input", "120", "--output", "30", "--worker", "crawler"], in: elsewhere.path, environment: clientEnvironment)
                #expect(report.status == 0, "\(report)")
                let status = try await run(["status", "--json"], in: elsewhere.path, environment: clientEnvironment)
                #expect(status.status == 0, "\(status)")
                let decoded = try Status.decode(json: Array(status.stdout.trimmingCharacters(in: .whitespacesAndNewlines).utf8))
                #expect(decoded.used == 150)
                #expect(decoded.journal?.path == state.file("tokengate/usage.sqlite"))
                let summary = try await run(["status"], in: "/", environment: clientEnvironment)
                #expect(summary.status == 0, "\(summary)")
                #expect(FileManager.default.fileExists(atPath: state.file("tokengate/usage.sqlite")))
                #expect(try await eventually(timeout: .seconds(5)) {
                    let history = try await run(["history", "--format", "csv"], in: elsewhere.path, environment: clientEnvironment)
                    return history.status == 0 && history.stdout.contains("crawler")
                })
            }
        }

        @Test(
            "top with no flags, in a terminal in another directory, attaches to the default daemon",
            .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux"), "tmux is not installed"),
            .timeLimit(.minutes(2))
        )
        func topAttaches() async throws {
            let runtime = try TemporaryDirectory(prefix: "tg-xr")
            let state = try TemporaryDirectory(prefix: "tg-xs")
            let elsewhere = try TemporaryDirectory(prefix: "tg-cwd")
            defer {
                runtime.remove()
                state.remove()
                elsewhere.remove()
            }
            // The daemon's journal goes to a state directory of this test's, never the user's.
            let environment = environment(["XDG_RUNTIME_DIR": runtime.path, "XDG_STATE_HOME": state.path])
            try await withDefaultDaemon(environment: environment.merging(["TMPDIR": elsewhere.path]) { $1 }, socket: runtime.file("tokengate.sock")) {
                let feeder = try LineClient(path: runtime.file("tokengate.sock"))
                _ = try feeder.request(#"{"op":"report","input":400,"output":100,"worker":"default-top-worker"}"#)
                let binary = try TokenGateBinary.require()
                let script = elsewhere.file("pane.sh")
                try """
                unset TOKENGATE_SOCKET
                export XDG_RUNTIME_DIR='\(runtime.path)' TERM=xterm-256color
                cd '\(elsewhere.path)' && exec '\(binary)' top
                """.write(toFile: script, atomically: true, encoding: .utf8)
                // A private tmux server: its own socket directory and no user configuration.
                let tmuxEnvironment = ["TMUX_TMPDIR": elsewhere.path, "TMUX": ""]
                let tmux = ["/usr/bin/tmux", "-L", "tg-default", "-f", "/dev/null"]
                defer {
                    let kill = try? ChildProcess(
                        tmux + ["kill-server"], environment: HermeticEnvironment.variables.merging(tmuxEnvironment) { $1 },
                        stdout: "/dev/null", stderr: "/dev/null"
                    )
                    _ = kill?.waitBlocking(seconds: 5)
                }
                let started = try await CommandRun.run(
                    tmux[0], Array(tmux.dropFirst()) + ["new-session", "-d", "-s", "top", "-x", "100", "-y", "30", "sh " + script],
                    environment: tmuxEnvironment
                )
                #expect(started.status == 0, "\(started)")
                var screen = ""
                let attached = try await eventually(timeout: .seconds(20)) {
                    screen = try await CommandRun.run(
                        tmux[0], Array(tmux.dropFirst()) + ["capture-pane", "-p", "-t", "top"], environment: tmuxEnvironment
                    ).stdout
                    return screen.contains("RUNNING") && screen.contains("default-top-worker")
                }
                #expect(attached, "the dashboard never showed the daemon:\n\(screen)")
                #expect(screen.contains(runtime.file("tokengate.sock")), "the header names the default socket")
            }
        }

        @Test("without $XDG_RUNTIME_DIR: the socket is /tmp/tokengate-<uid>/tokengate.sock in a 0700 directory")
        func fallbackDirectory() async throws {
            let socket = "/tmp/tokengate-\(getuid())/tokengate.sock"
            guard !UnixSocketProbe.accepts(socket) else {
                Issue.record("a daemon already listens on \(socket); not starting another")
                return
            }
            let elsewhere = try TemporaryDirectory(prefix: "tg-cwd")
            defer { elsewhere.remove() }
            let clientEnvironment = ["TOKENGATE_SOCKET": "", "XDG_RUNTIME_DIR": "", "XDG_STATE_HOME": ""]
            var serveEnvironment = environment([:])
            serveEnvironment["HOME"] = elsewhere.path
            try await withDefaultDaemon(environment: serveEnvironment, socket: socket) {
                let attributes = try FileManager.default.attributesOfItem(atPath: "/tmp/tokengate-\(getuid())")
                #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o700)
                let status = try await run(["status", "--json"], in: elsewhere.path, environment: clientEnvironment)
                #expect(status.status == 0, "\(status)")
                #expect(FileManager.default.fileExists(atPath: elsewhere.file(".local/state/tokengate/usage.sqlite")))
            }
        }
    }
}
