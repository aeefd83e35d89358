import Foundation

/// A private `redis-server` started by a benchmark: a Unix socket in a short /tmp directory, no
/// persistence (`--save '' --appendonly no`), no TCP port. ``stop()`` kills it and removes the
/// directory.
final class BenchRedis: @unchecked Sendable {
    let directory: String
    let socketPath: String
    private let process = Process()

    /// `unix://` and the socket's path, for `serve --redis`.
    var url: String { "unix://" + socketPath }

    /// Starts the server and waits until its socket exists.
    init() async throws {
        guard let server = RedisReference.which("redis-server") else {
            throw BenchError("redis-server is not installed: apt install redis-server (or put it on PATH)")
        }
        directory = try BenchDaemon.makeTemporaryDirectory(prefix: "tg-brd")
        socketPath = directory + "/r.sock"
        let logPath = directory + "/redis.log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: server)
        process.arguments = [
            "--port", "0", "--unixsocket", socketPath, "--unixsocketperm", "700", "--save", "", "--appendonly", "no",
            "--daemonize", "no", "--dir", directory,
        ]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle(forWritingAtPath: logPath)
        process.standardError = FileHandle(forWritingAtPath: logPath)
        do {
            try process.run()
            let deadline = ContinuousClock.now + .seconds(10)
            while !FileManager.default.fileExists(atPath: socketPath) {
                guard process.isRunning else {
                    let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
                    throw BenchError("redis-server exited: \(log.split(separator: "\n").suffix(3).joined(separator: " | "))")
                }
                guard ContinuousClock.now < deadline else { throw BenchError("redis-server did not start within 10 s") }
                try await Task.sleep(for: .milliseconds(20))
            }
        } catch {
            stop()
            throw error
        }
    }

    /// Kills the server (SIGKILL: a child of this process inherits its blocked SIGTERM, see
    /// ``RedisReference``; it keeps no state) and removes its directory. Safe to call twice.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: directory)
    }
}
