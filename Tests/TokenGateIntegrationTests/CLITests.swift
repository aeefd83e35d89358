import Foundation
import Testing
import TokenGateClient
import TokenGateTestSupport
import TokenGateWire

extension OneAtATime {
    /// The one-shot commands (`status`, `pause`, `resume`, `limit`, `acquire`, `report`) and their exit
    /// codes, run as the real executable against the real daemon.
    @Suite("CLI one-shots")
    struct CLITests {
        @Test("status: a readable summary, and --json prints exactly the Status object")
        func status() async throws {
            try await DaemonProcess.with { daemon in
                let summary = try await CommandRun.tokengate(["status", "--socket", daemon.socketPath])
                #expect(summary.status == 0, "\(summary)")
                #expect(summary.stdout.contains("running"))
                #expect(summary.stdout.contains("limit 1,800,000"))
                #expect(summary.stdoutLines.count > 2)

                let json = try await CommandRun.tokengate(["status", "--json", "--socket", daemon.socketPath])
                #expect(json.status == 0, "\(json)")
                let status = try Status.decode(json: Array(json.stdout.utf8))
                #expect(status.state == .running)
                #expect(status.windowMs == 2_000)
                #expect(status.limit == 1_800_000)
                #expect(status.threshold == 0.9)
                // One object and nothing else.
                let parsed = try JSONValue.parse(json.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
                #expect(parsed.objectValue != nil)
                #expect(json.stderr.isEmpty)

                // The default socket path: $TOKENGATE_SOCKET.
                let byEnvironment = try await CommandRun.tokengate(
                    ["status", "--json"], environment: ["TOKENGATE_SOCKET": daemon.socketPath])
                #expect(byEnvironment.status == 0, "\(byEnvironment)")
            }
        }

        @Test("pause, a timed-out acquire (exit 4), resume, acquire prints the ticket")
        func pauseAcquireResume() async throws {
            try await DaemonProcess.with { daemon in
                let socket = ["--socket", daemon.socketPath]
                let pause = try await CommandRun.tokengate(["pause"] + socket)
                #expect(pause.status == 0, "\(pause)")
                #expect(pause.stdoutLines == ["paused"])

                let timedOut = try await CommandRun.tokengate(
                    ["acquire", "--tokens", "10", "--timeout-ms", "100", "--worker", "cli-it"] + socket)
                #expect(timedOut.status == 4, "\(timedOut)")
                #expect(timedOut.stdout.isEmpty)
                #expect(timedOut.stderrLines.count == 1, "\(timedOut)")

                let resume = try await CommandRun.tokengate(["resume"] + socket)
                #expect(resume.status == 0, "\(resume)")
                #expect(resume.stdoutLines == ["running"])

                let acquire = try await CommandRun.tokengate(
                    ["acquire", "--tokens", "10", "--timeout-ms", "5000", "--worker", "cli-it"] + socket)
                #expect(acquire.status == 0, "\(acquire)")
                #expect(acquire.stdoutLines.count == 1)
                #expect(!(acquire.stdoutLines.first ?? "").isEmpty)
                #expect(!(acquire.stdoutLines.first ?? " ").contains(" "))
            }
        }

        @Test("report records usage; an unknown ticket warns and still exits 0")
        func report() async throws {
            // A longer window, so that the usage checked below cannot expire on a loaded machine.
            try await DaemonProcess.with(arguments: ["--window", "30"]) { daemon in
                let socket = ["--socket", daemon.socketPath]
                let report = try await CommandRun.tokengate(
                    ["report", "--input", "5", "--output", "6", "--cache-creation", "7", "--cache-read", "100",
                     "--worker", "cli-it"] + socket)
                #expect(report.status == 0, "\(report)")
                #expect(report.stdout.isEmpty)

                let client = TokenGateClient(socketPath: daemon.socketPath)
                defer { Task { await client.close() } }
                let status = try await client.status()
                #expect(status.used == 18)
                #expect(status.workers.contains { $0.worker == "cli-it" })

                let unknown = try await CommandRun.tokengate(
                    ["report", "--input", "1", "--output", "1", "--ticket", "nope"] + socket)
                #expect(unknown.status == 0, "\(unknown)")
                #expect(unknown.stderr.contains("nope"))
                #expect(try await client.status().used == 20)
            }
        }

        @Test("limit sets the limit and threshold")
        func limit() async throws {
            try await DaemonProcess.with { daemon in
                let run = try await CommandRun.tokengate(
                    ["limit", "5000", "--threshold", "0.5", "--socket", daemon.socketPath])
                #expect(run.status == 0, "\(run)")
                #expect(run.stdout.contains("5,000"))
                let client = TokenGateClient(socketPath: daemon.socketPath)
                defer { Task { await client.close() } }
                let status = try await client.status()
                #expect(status.limit == 5_000)
                #expect(status.threshold == 0.5)
            }
        }

        @Test("no daemon: every one-shot exits 3 with one line on stderr")
        func unreachable() async throws {
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let socket = ["--socket", directory.file("none.sock")]
            let commands: [[String]] = [
                ["status"], ["status", "--json"], ["pause"], ["resume"], ["limit", "1000"],
                ["acquire", "--tokens", "1"], ["report", "--input", "1", "--output", "1"],
            ]
            for command in commands {
                let run = try await CommandRun.tokengate(command + socket)
                #expect(run.status == 3, "\(run)")
                #expect(run.stdout.isEmpty, "\(run)")
                #expect(run.stderrLines.count == 1, "\(run)")
            }
        }

        @Test("usage errors exit 2")
        func usageErrors() async throws {
            let socket = ["--socket", "/tmp/tg-it-unused.sock"]
            let commands: [[String]] = [
                ["limit"], ["limit", "abc"], ["limit", "0"], ["limit", "10", "--threshold", "1.5"],
                ["acquire", "--tokens", "-1"], ["acquire", "--worker", "bad name"],
                ["report", "--input", "1"], ["report", "--input", "-1", "--output", "1"],
                ["status", "--bogus"],
            ]
            for command in commands {
                let run = try await CommandRun.tokengate(command + socket)
                #expect(run.status == 2, "\(run)")
            }
        }

        @Test("every one-shot has help with examples")
        func help() async throws {
            for command in ["status", "pause", "resume", "limit", "acquire", "report"] {
                let run = try await CommandRun.tokengate([command, "--help"])
                #expect(run.status == 0, "\(run)")
                #expect(run.stdout.contains("Examples") || run.stdout.contains("Example:"), "\(run)")
                #expect(run.stdout.contains("--socket"), "\(run)")
            }
        }
    }
}
