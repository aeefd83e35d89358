import Foundation
import Testing
import TokenGateTestSupport

extension OneAtATime {
    /// Peer credentials against the real daemon, with a throwaway user of another uid.
    @Suite("Daemon: another user", .enabled(if: ThrowawayUser.isPossible, "needs root, groupadd, useradd, runuser and python3"))
    struct DaemonPermissionTests {
        @Test("another uid cannot use the gate without --allow-group, even when the file mode would let it")
        func refusedWithoutAllowGroup() async throws {
            let user = try await ThrowawayUser.create()
            defer { user.delete() }
            try await DaemonProcess.with { daemon in
                chmod(daemon.directory.path, 0o755)
                let blocked = try await user.talk(to: daemon.socketPath, lines: [#"{"op":"status"}"#])
                #expect(blocked.stdout.contains("connect-failed"), "the 0600 socket file keeps other users out: \(blocked)")
                chmod(daemon.socketPath, 0o666)
                let refused = try await user.talk(to: daemon.socketPath, lines: [#"{"op":"status"}"#])
                #expect(refused.stdout.contains("closed-without-reply"), "the daemon refuses another uid itself: \(refused)")
                #expect(daemon.log.contains("connection refused"))
            }
        }

        @Test("with --allow-group a member may acquire and report but not pause, resume or change the limit")
        func allowedGroupMember() async throws {
            let user = try await ThrowawayUser.create()
            defer { user.delete() }
            try await DaemonProcess.with(arguments: ["--allow-group", user.group]) { daemon in
                chmod(daemon.directory.path, 0o755)
                let run = try await user.talk(to: daemon.socketPath, lines: [
                    #"{"op":"acquire","tokens":10,"id":1}"#, #"{"op":"pause","id":2}"#, #"{"op":"set_limit","limit":5,"id":3}"#,
                    #"{"op":"resume","id":4}"#,
                ])
                let replies = run.stdout.split(separator: "\n").map(String.init)
                #expect(replies.count == 4, "\(run)")
                #expect(replies.first?.contains(#""ok":true"#) == true)
                #expect(replies.dropFirst().allSatisfy { $0.contains(#""error":"forbidden""#) })
                #expect(try LineClient(path: daemon.socketPath).status().state == .running)
            }
        }
    }
}

/// A user and group made for one test, removed afterwards.
struct ThrowawayUser: Sendable {
    let name: String
    let group: String

    static var isPossible: Bool {
        getuid() == 0
            && ["/usr/sbin/groupadd", "/usr/sbin/useradd", "/usr/sbin/runuser"].allSatisfy {
                FileManager.default.isExecutableFile(atPath: $0)
            }
            && systemPython != nil
    }

    /// A Python another user can run (not one under root's home).
    static var systemPython: String? {
        ["/usr/bin/python3", "/usr/local/bin/python3"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static func create() async throws -> ThrowawayUser {
        let suffix = String(UInt32.random(in: 0..<UInt32.max), radix: 36)
        let user = ThrowawayUser(name: "tgu\(suffix)", group: "tgg\(suffix)")
        let group = try await CommandRun.run("/usr/sbin/groupadd", [user.group])
        guard group.status == 0 else { throw TestFailure("groupadd failed: \(group.stderr)") }
        let made = try await CommandRun.run("/usr/sbin/useradd", ["-M", "-N", "-g", user.group, "-s", "/bin/sh", user.name])
        guard made.status == 0 else { throw TestFailure("useradd failed: \(made.stderr)") }
        return user
    }

    func delete() {
        for (tool, argument) in [("/usr/sbin/userdel", name), ("/usr/sbin/groupdel", group)] {
            _ = try? CommandRun.runBlocking(tool, [argument])
        }
    }

    /// Connects as this user, sends `lines`, prints each reply line, or `connect-failed` /
    /// `closed-without-reply`.
    func talk(to socketPath: String, lines: [String]) async throws -> CommandRun {
        let script = """
            import socket, sys
            s = socket.socket(socket.AF_UNIX)
            try:
                s.connect(sys.argv[1])
            except OSError as e:
                print("connect-failed", e); sys.exit(0)
            s.settimeout(5)
            f = s.makefile("rwb")
            for line in sys.argv[2:]:
                try:
                    f.write(line.encode() + b"\\n"); f.flush()
                    reply = f.readline()
                except OSError:
                    reply = b""
                if not reply:
                    print("closed-without-reply"); sys.exit(0)
                print(reply.decode().strip())
            """
        return try await CommandRun.run(
            "/usr/sbin/runuser", ["-u", name, "--", Self.systemPython ?? "python3", "-c", script, socketPath] + lines,
            timeout: 30
        )
    }
}
