import Foundation
import Testing
import TokenGateTestSupport
import TokenGateWire

extension OneAtATime {
    /// `tokengate serve --config FILE` against the real binary: the file's settings take effect,
    /// flags on the command line win, and a bad file stops the daemon with exit 2 and one line.
    @Suite("Daemon: config file")
    struct ServeConfigTests {
        @Test("the file sets what the command line leaves out; the command line wins")
        func precedence() async throws {
            let directory = try TemporaryDirectory(prefix: "tg-cf")
            defer { directory.remove() }
            let config = directory.file("serve.toml")
            // The daemon's base arguments are `--window 2 --no-state`: they must win over the file's
            // window and state; --threshold on the command line wins over the file's too.
            try """
            limit = 5000
            window = 30
            threshold = 0.8
            requests-limit = 7
            output-limit = 900
            state = "never-created.sqlite"
            log-level = "debug"
            """.write(toFile: config, atomically: true, encoding: .utf8)
            try await DaemonProcess.with(arguments: ["--config", config, "--threshold", "0.5"]) { daemon in
                let status = try LineClient(path: daemon.socketPath).status()
                #expect(status.limit == 5000, "from the file")
                #expect(status.windowMs == 2000, "--window 2 wins over window = 30")
                #expect(status.threshold == 0.5, "--threshold wins over threshold = 0.8")
                #expect(status.budgets.first { $0.name == "requests" }?.limit == 7, "from the file")
                #expect(status.budgets.first { $0.name == "output" }?.limit == 900, "from the file")
                #expect(status.journal == nil, "--no-state wins over state = ...")
                #expect(!FileManager.default.fileExists(atPath: directory.file("never-created.sqlite")))
                #expect(daemon.log.contains("debug"), "log-level = \"debug\" from the file")
            }
        }

        @Test("metrics and limit = \"auto\" from the file take effect")
        func metricsFromFile() async throws {
            let directory = try TemporaryDirectory(prefix: "tg-cf")
            defer { directory.remove() }
            let config = directory.file("serve.toml")
            try "metrics = \":0\"\nlimit = \"auto\"\n".write(toFile: config, atomically: true, encoding: .utf8)
            try await DaemonProcess.with(arguments: ["--config", config]) { daemon in
                #expect(await eventually { daemon.log.contains("metrics=http://127.0.0.1:") }, "\(daemon.log)")
            }
        }

        @Test("a bad config file is a usage error: exit 2, one line naming the file, line and key", arguments: [
            ("limit = 5000\ninput_limit = 3\n", "line 2: unknown key 'input_limit' (did you mean 'input-limit'?)"),
            ("[serve]\nlimit = 5\n", "line 1: unknown key 'serve'"),
            ("window = \"two\"\n", "line 1: 'window' must be a number, not a string"),
            ("threshold = 2\n", "line 1: 'threshold' must be a fraction in (0, 1]"),
            ("metrics = \"nowhere\"\n", "line 1: 'metrics' is not a valid address"),
            ("log-level = \"loud\"\n", "line 1: 'log-level' must be one of"),
            ("state = \"a\"\nno-state = true\n", "line 2: 'no-state' and 'state' exclude each other"),
            ("limit = \n", "line 1, column"),
        ])
        func badFile(text: String, message: String) async throws {
            let directory = try TemporaryDirectory(prefix: "tg-cf")
            defer { directory.remove() }
            let config = directory.file("bad.toml")
            try text.write(toFile: config, atomically: true, encoding: .utf8)
            let run = try await CommandRun.tokengate(
                ["serve", "--config", config, "--socket", directory.file("s.sock"), "--no-state"], timeout: 20
            )
            #expect(run.status == 2, "\(run)")
            #expect(run.stderrLines.count == 1, "\(run.stderr)")
            #expect(run.stderr.contains("config \(config)"), "\(run.stderr)")
            #expect(run.stderr.contains(message), "\(run.stderr)")
            #expect(!UnixSocketProbe.accepts(directory.file("s.sock")))
        }

        @Test("a missing config file is a usage error naming it")
        func missingFile() async throws {
            let run = try await CommandRun.tokengate(["serve", "--config", "/nonexistent/tg.toml", "--no-state"], timeout: 20)
            #expect(run.status == 2, "\(run)")
            #expect(run.stderr.contains("/nonexistent/tg.toml"))
            #expect(run.stderr.contains("cannot read"))
        }
    }
}
