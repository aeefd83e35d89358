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
    /// The tests never touch the user's home, state, config or runtime directories: with HOME,
    /// XDG_STATE_HOME and XDG_RUNTIME_DIR pointed at a fresh directory, a daemon with no flags and the
    /// commands that talk to it write only there, and nothing of the user's changes.
    @Suite("Tests are hermetic")
    struct HermeticTests {
        /// Every file under `path` (recursively) with its size and modification time; empty when
        /// `path` does not exist.
        private func fingerprint(_ path: String) -> [String: String] {
            var result: [String: String] = [:]
            guard let walker = FileManager.default.enumerator(atPath: path) else { return result }
            for case let name as String in walker {
                var info = stat()
                let full = path + "/" + name
                guard lstat(full, &info) == 0 else { continue }
                result[full] = "\(info.st_size) \(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
            }
            return result
        }

        /// Where the user's own tokengate files live, from this test process's real environment.
        private var usersPlaces: [String] {
            let real = ProcessInfo.processInfo.environment
            let home = real["HOME"] ?? NSHomeDirectory()
            var places = [home + "/.local/state/tokengate", home + "/.config/tokengate", "/tmp/tokengate-\(getuid())"]
            if let state = real["XDG_STATE_HOME"] { places.append(state + "/tokengate") }
            if let config = real["XDG_CONFIG_HOME"] { places.append(config + "/tokengate") }
            if let runtime = real["XDG_RUNTIME_DIR"] { places.append(runtime + "/tokengate.sock") }
            return places
        }

        private func snapshot() -> [String: [String: String]] {
            var result: [String: [String: String]] = [:]
            for place in usersPlaces {
                var info = stat()
                let exists = lstat(place, &info) == 0
                var entry = fingerprint(place)
                entry["(self)"] = exists ? "\(info.st_mode) \(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)" : "absent"
                result[place] = entry
            }
            return result
        }

        @Test("serve with no flags and every command that talks to it write only into the fresh directory")
        func nothingElseChanges() async throws {
            let fresh = try TemporaryDirectory(prefix: "tg-fresh")
            defer { fresh.remove() }
            for name in ["home", "state", "run"] {
                try FileManager.default.createDirectory(atPath: fresh.file(name), withIntermediateDirectories: false)
            }
            let before = snapshot()
            var environment = ProcessInfo.processInfo.environment
            environment["TOKENGATE_SOCKET"] = nil
            environment["XDG_CONFIG_HOME"] = nil
            environment["HOME"] = fresh.file("home")
            environment["XDG_STATE_HOME"] = fresh.file("state")
            environment["XDG_RUNTIME_DIR"] = fresh.file("run")
            let socket = fresh.file("run/tokengate.sock")

            let daemon = try ChildProcess(
                [try TokenGateBinary.require(), "serve"], environment: environment, stdout: fresh.file("log"),
                stderr: fresh.file("log"))
            defer { daemon.terminate(grace: 5) }
            let listening = await eventually(timeout: .seconds(15)) { UnixSocketProbe.accepts(socket) || !daemon.isRunning }
            #expect(listening && daemon.isRunning, "\((try? String(contentsOfFile: fresh.file("log"), encoding: .utf8)) ?? "")")

            // CommandRun merges into its own environment: give every variable, removing the socket.
            let run: ([String]) async throws -> CommandRun = { arguments in
                try await CommandRun.tokengate(
                    arguments,
                    environment: [
                        "TOKENGATE_SOCKET": "", "XDG_CONFIG_HOME": "", "HOME": fresh.file("home"),
                        "XDG_STATE_HOME": fresh.file("state"), "XDG_RUNTIME_DIR": fresh.file("run"),
                    ])
            }
            for arguments in [
                ["report", "--input", "10", "--output", "5", "--worker", "hermetic"], ["status", "--json"],
                ["acquire", "--tokens", "10", "--timeout-ms", "2000"], ["limit", "900000"], ["pause"], ["resume"],
            ] {
                let result = try await run(arguments)
                #expect(result.status == 0, "\(result)")
            }
            let status = try await run(["status", "--json"])
            let decoded = try Status.decode(json: Array(status.stdout.trimmingCharacters(in: .whitespacesAndNewlines).utf8))
            #expect(decoded.journal?.path == fresh.file("state/tokengate/usage.sqlite"))
            #expect(daemon.terminate(grace: 5) == 0)
            let history = try await run(["history", "--format", "csv"])
            #expect(history.status == 0 && history.stdout.contains("hermetic"), "\(history)")
            let demo = try await run(["demo", "--headless", "--duration", "1", "--workers", "2"])
            #expect(demo.status == 0, "\(demo)")

            #expect(snapshot() == before, "a command changed the user's own tokengate files")
            // What the fresh directory holds now: the journal (and its lock), no socket left behind.
            #expect(FileManager.default.fileExists(atPath: fresh.file("state/tokengate/usage.sqlite")))
            #expect(FileManager.default.fileExists(atPath: fresh.file("state/tokengate/usage.sqlite.lock")))
            #expect((try? FileManager.default.contentsOfDirectory(atPath: fresh.file("run"))) == [])
        }

        @Test("the environment every test process gets points HOME and the XDG directories into a private directory")
        func testEnvironmentIsPrivate() {
            let environment = HermeticEnvironment.variables
            let real = ProcessInfo.processInfo.environment
            #expect(environment["TOKENGATE_SOCKET"] == nil)
            for name in ["HOME", "XDG_STATE_HOME", "XDG_CONFIG_HOME", "XDG_RUNTIME_DIR"] {
                #expect(environment[name]?.hasPrefix(HermeticEnvironment.root + "/") == true, "\(name)")
                if let value = real[name] { #expect(environment[name] != value, "\(name)") }
            }
        }
    }
}
