import Foundation
import Testing
import TokenGateTestSupport

extension OneAtATime {
    /// Errors that say what to do next, from the real executable: an unreachable daemon, a timed-out
    /// acquire (paused, cooling down), negative numbers, a usage error found at run time, a bad name.
    @Suite("CLI: errors that say what to do next")
    struct CLIErrorHintTests {
        @Test("no daemon: the line says to start one or to point TOKENGATE_SOCKET at it")
        func unreachableSaysHowToStart() async throws {
            let directory = try TemporaryDirectory(prefix: "tg-nx")
            defer { directory.remove() }
            let run = try await CommandRun.tokengate(["status", "--socket", directory.file("none.sock")])
            #expect(run.status == 3, "\(run)")
            #expect(run.stderrLines.count == 1, "\(run)")
            #expect(run.stderr.contains("daemon not reachable at \(directory.file("none.sock"))"), "\(run)")
            #expect(run.stderr.contains("tokengate serve"), "\(run)")
            #expect(run.stderr.contains("TOKENGATE_SOCKET"), "\(run)")
        }

        @Test("a timed-out acquire says the daemon is paused, or cooling down and for how long")
        func timeoutSaysWhy() async throws {
            try await DaemonProcess.with { daemon in
                let socket = ["--socket", daemon.socketPath]
                #expect(try await CommandRun.tokengate(["pause"] + socket).status == 0)
                let paused = try await CommandRun.tokengate(["acquire", "--tokens", "10", "--timeout-ms", "150"] + socket)
                #expect(paused.status == 4, "\(paused)")
                #expect(paused.stderrLines.count == 1, "\(paused)")
                #expect(paused.stderr.contains("no grant within 150 ms: the daemon is paused"), "\(paused)")
                #expect(paused.stderr.contains("tokengate resume"), "\(paused)")
                #expect(try await CommandRun.tokengate(["resume"] + socket).status == 0)

                let provider = try LineClient(path: daemon.socketPath)
                _ = try provider.request(#"{"op":"hello","worker":"crawler-7","v":1}"#)
                _ = try provider.request(#"{"op":"throttled","retry_after_ms":30000}"#)
                let cooling = try await CommandRun.tokengate(["acquire", "--tokens", "10", "--timeout-ms", "150"] + socket)
                #expect(cooling.status == 4, "\(cooling)")
                #expect(cooling.stderrLines.count == 1, "\(cooling)")
                #expect(cooling.stderr.contains("cooling down after a provider 429 from crawler-7"), "\(cooling)")
                #expect(cooling.stderr.contains(" s left"), "\(cooling)")
            }
        }

        @Test("--tokens -5 and limit -5 get the same clear message as --tokens=-5", arguments: [
            (["acquire", "--tokens", "-5"], "--tokens must be a whole number from 0 to 2^53-1, got -5"),
            (["acquire", "--tokens=-5"], "--tokens must be a whole number from 0 to 2^53-1, got -5"),
            (["limit", "-5"], "the limit must be a whole number from 1 to 2^53-1, got -5"),
            (["limit", "-5", "--threshold", "0.5"], "the limit must be a whole number from 1 to 2^53-1, got -5"),
            (["limit", "100", "--threshold", "-0.5"], "--threshold must be greater than 0 and at most 1, got -0.5"),
        ])
        func negativeNumbers(arguments: [String], message: String) async throws {
            let run = try await CommandRun.tokengate(arguments + ["--socket", "/tmp/tg-none.sock"])
            #expect(run.status == 2, "\(run)")
            #expect(run.stderr.contains("Error: " + message), "\(run)")
            #expect(!run.stderr.contains("Missing value"), "\(run)")
            #expect(!run.stderr.contains("Unknown option"), "\(run)")
        }

        @Test("serve --threshold 2 prints serve's usage, not the top-level one")
        func serveUsage() async throws {
            let directory = try TemporaryDirectory(prefix: "tg-su")
            defer { directory.remove() }
            let run = try await CommandRun.tokengate(
                ["serve", "--threshold", "2", "--no-state", "--socket", directory.file("s.sock")], timeout: 20)
            #expect(run.status == 2, "\(run)")
            #expect(run.stderr.contains("threshold"), "\(run)")
            #expect(run.stderr.contains("Usage: tokengate serve"), "\(run)")
            #expect(run.stderr.contains("See 'tokengate serve --help'"), "\(run)")
            #expect(!FileManager.default.fileExists(atPath: directory.file("s.sock")), "nothing was bound")
        }

        @Test("bench sim --workload foo lists the valid names")
        func benchWorkloadNames() async throws {
            let run = try await CommandRun.tokengate(["bench", "sim", "--workload", "foo"])
            #expect(run.status == 2, "\(run)")
            #expect(run.stderr.contains("invalid value 'foo'"), "\(run)")
            for name in ["steady", "burst", "streams", "small", "shared"] {
                #expect(run.stderr.contains(name), "\(run)")
            }
            #expect(run.stderr.contains("Usage: tokengate bench sim"), "\(run)")
        }
    }
}
