import Foundation
import Testing
import TokenGateTestSupport
import TokenGateWire

extension OneAtATime {
    /// Against the real `tokengate` binary: a journal that cannot be used stops `serve` with one line
    /// and exit 1 (unless `--no-state`); one that fails while running degrades, shows it, and recovers.
    @Suite("Real binary: journal faults")
    struct DaemonFaultTests {
        /// Runs `tokengate serve` expected to refuse to start; returns its one stderr line.
        private func refusal(_ arguments: [String], prefix: [String] = [], directory: TemporaryDirectory) throws -> String {
            let socket = directory.file("refused.sock")
            let result = try CommandRun.tokengateBlocking(["serve", "--socket", socket] + arguments, prefix: prefix)
            #expect(result.status == 1, "exit \(result.status): \(result.stderr)")
            let lines = result.stderr.split(separator: "\n")
            #expect(lines.count == 1, "\(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: socket))
            return String(lines.first ?? "")
        }

        @Test("a file that is not a database: serve refuses; --no-state runs without a journal")
        func notADatabase() throws {
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let state = directory.file("u.sqlite")
            _ = FileManager.default.createFile(atPath: state, contents: Data(String(repeating: "notes\n", count: 1000).utf8))
            let line = try refusal(["--state", state], directory: directory)
            #expect(line.hasPrefix("tokengate: \(state) is not a SQLite database"))
            #expect(line.contains("--no-state"))

            try DaemonProcess.withBlocking(socket: directory.file("s.sock"), arguments: ["--no-state"], directory: directory, logName: "d.log") { daemon in
                let status = try daemon.client().status()
                #expect(status.journal == nil)
                #expect(try !daemon.client().request(#"{"op":"status"}"#).jsonText.contains("journal"))
            }
            let both = try CommandRun.tokengateBlocking(["serve", "--state", state, "--no-state"])
            #expect(both.status == 2)
        }

        @Test(
            "a database another process holds locked: serve refuses",
            .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3"))
        )
        func lockedByAnotherProcess() throws {
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let state = directory.file("u.sqlite")
            // A journal made by a daemon that ran once.
            try DaemonProcess.withBlocking(socket: directory.file("s.sock"), arguments: ["--state", state], directory: directory, logName: "d.log") { _ in }
            let holderOutput = directory.file("holder.out")
            let holder = try ChildProcess(
                [
                    "/usr/bin/python3", "-c",
                    "import sqlite3, sys, time\n"
                        + "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
                        + "c.execute('BEGIN IMMEDIATE')\n"
                        + "print('locked', flush=True)\n"
                        + "time.sleep(60)\n",
                    state,
                ],
                environment: HermeticEnvironment.variables, stdout: holderOutput, stderr: directory.file("holder.err"))
            defer { holder.terminate(grace: 0) }
            let deadline = Date().addingTimeInterval(20)
            while holder.isRunning, Date() < deadline,
                (try? String(contentsOfFile: holderOutput, encoding: .utf8)).map({ !$0.contains("\n") }) ?? true
            {
                usleep(10_000)
            }
            let ready = (try? String(contentsOfFile: holderOutput, encoding: .utf8)) ?? ""
            #expect(ready.contains("locked"))
            let line = try refusal(["--state", state], directory: directory)
            #expect(line.contains("is locked by another process"), "\(line)")
        }

        @Test("a read-only directory: serve refuses (run as nobody when the tests run as root)")
        func readOnlyDirectory() throws {
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            chmod(directory.path, 0o755)
            let locked = directory.file("ro")
            try FileManager.default.createDirectory(atPath: locked, withIntermediateDirectories: false)
            chmod(locked, 0o555)
            var prefix: [String] = []
            if geteuid() == 0 {
                try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"), "setpriv is needed to drop root")
                prefix = ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
            }
            let line = try refusal(["--state", locked + "/u.sqlite"], prefix: prefix, directory: directory)
            #expect(line.contains(locked), "\(line)")
            #expect(line.contains("Permission denied") || line.contains("not writable"), "\(line)")
        }

        @Test("the default journal goes under $XDG_STATE_HOME/tokengate, made 0700")
        func defaultPath() throws {
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            var environment = HermeticEnvironment.variables
            environment["XDG_STATE_HOME"] = directory.file("state")
            // The default socket keeps the default journal (another socket keeps one of its own).
            environment["XDG_RUNTIME_DIR"] = directory.path
            let expected = directory.file("state/tokengate/usage.sqlite")
            try DaemonProcess.withBlocking(
                socket: directory.file("tokengate.sock"), arguments: [], directory: directory, logName: "d.log", environment: environment
            ) { daemon in
                let journal = try daemon.client().status().journal
                #expect(journal?.path == expected)
            }
            #expect(FileManager.default.fileExists(atPath: expected))
            let attributes = try FileManager.default.attributesOfItem(atPath: directory.file("state/tokengate"))
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o700)
            let history = try CommandRun.tokengateBlocking(["history", "--format", "csv"], environment: environment)
            #expect(history.status == 0)
            #expect(history.stdout == "worker,requests,input,output,cache_creation,cache_read,tokens\n")
        }

        @Test("history: no journal, or a bad duration, is one clear line")
        func historyErrors() throws {
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let missing = try CommandRun.tokengateBlocking(["history", "--state", directory.file("none.sqlite")])
            #expect(missing.status == 1)
            #expect(missing.stderr.hasPrefix("tokengate: no journal at \(directory.file("none.sqlite"))"))
            let bad = try CommandRun.tokengateBlocking(["history", "--state", directory.file("none.sqlite"), "--since", "5"])
            #expect(bad.status == 2)
            #expect(bad.stderr.contains("bad duration '5'"))
        }

        @Test(
            "a full disk while running: status shows it, limiting goes on, and the journal recovers when space returns",
            .enabled(if: Tmpfs.available, "needs root and a mountable tmpfs")
        )
        func diskFullWhileRunning() throws {
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let point = directory.file("disk")
            try #require(mkdir(point, 0o700) == 0)
            try #require(Tmpfs.mount(at: point, kilobytes: 1024))
            defer { Tmpfs.unmount(point) }
            let state = point + "/u.sqlite"
            try DaemonProcess.withBlocking(
                socket: directory.file("s.sock"), arguments: ["--state", state, "--window", "60"],
                directory: directory, logName: "d.log"
            ) { daemon in
                let client = try daemon.client()
                let filler = point + "/filler"
                #expect(Tmpfs.fill(filler) > 0)
                var reported: Int64 = 0
                var degraded: JournalStatus?
                for round in 0..<40 {
                    for index in 0..<200 {
                        let reply = try client.request(
                            #"{"op":"report","input":5,"output":5,"worker":"a-long-worker-name-to-fill-pages-\#(round)-\#(index)"}"#
                        )
                        #expect(reply["ok"] == true)
                        reported += 10
                    }
                    usleep(150_000)
                    if let journal = try client.status().journal, !journal.ok {
                        degraded = journal
                        break
                    }
                }
                let shown = try #require(degraded, "the journal never reported the full disk")
                #expect(shown.error?.contains("disk is full") == true, "\(shown)")
                // Limiting goes on in memory.
                #expect(try client.status().used == reported)
                #expect(daemon.log.contains("journal write failed"))

                try FileManager.default.removeItem(atPath: filler)
                let healed = try (0..<100).contains { _ in
                    usleep(50_000)
                    return try client.status().journal?.ok == true
                }
                #expect(healed)
                #expect(daemon.log.contains("journal writable again"))
                let history = try CommandRun.tokengateBlocking(["history", "--state", state, "--format", "json"])
                let total = try JSONValue.parse(history.stdout.trimmingCharacters(in: .newlines))["total"]
                #expect(total?["tokens"]?.int64Value == reported)
            }
        }
    }
}
