import Foundation
import TokenGateRedis

/// A private `redis-server` for a benchmark: on a Unix socket in a short /tmp directory, without
/// persistence (`--save '' --appendonly no`), with one connection of the benchmark's own to read
/// its counters. ``stop()`` ends it by its pid (SIGKILL: it keeps no state, and a child of this
/// process inherits a mask in which SIGTERM is blocked) and removes its directory.
final class RedisServerForBench: @unchecked Sendable {
    let directory: String
    let socketPath: String
    private let logPath: String
    private let process: Process
    private var connection: RedisConnection?

    /// `unix://` and the socket's path: what `serve --redis` takes.
    var url: String { "unix://" + socketPath }

    var pid: Int32 { process.processIdentifier }

    /// Starts the server found on $PATH and waits until it answers PING.
    init() async throws {
        guard let executable = RedisReference.which("redis-server") else {
            throw BenchError("redis-server is not installed: install it (apt install redis-server) and run again")
        }
        directory = try BenchDaemon.makeTemporaryDirectory(prefix: "tg-rb")
        socketPath = directory + "/r.sock"
        logPath = directory + "/redis.log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = [
            "--port", "0", "--unixsocket", socketPath, "--unixsocketperm", "700", "--save", "", "--appendonly", "no",
            "--daemonize", "no", "--dir", directory,
        ]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle(forWritingAtPath: logPath)
        process.standardError = FileHandle(forWritingAtPath: logPath)
        do {
            try process.run()
            connection = try await waitUntilReady()
        } catch {
            stop()
            throw error
        }
    }

    private func waitUntilReady() async throws -> RedisConnection {
        let endpoint = RedisEndpoint(address: .unixSocket(path: socketPath))
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            guard process.isRunning else { throw BenchError("redis-server exited: \(logTail())") }
            if let connection = try? await RedisConnection.connect(to: endpoint) {
                if (try? await connection.send(RESPCommand(["PING"]))) == .simpleString("PONG") { return connection }
                connection.close()
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw BenchError("redis-server did not answer PING within 10 s: \(logTail())")
    }

    private func logTail() -> String {
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(3).joined(separator: " | ")
    }

    /// Sends one command on the benchmark's connection.
    func send(_ words: [String]) async throws -> RESPValue {
        guard let connection, connection.isOpen else { throw BenchError("the connection to redis-server closed") }
        return try await connection.send(RESPCommand(words))
    }

    /// The commands Redis has processed and the CPU it has used so far (one `INFO`, itself
    /// counted in the next reading's commands processed).
    func counters() async throws -> RedisCounters {
        let reply = try await send(["INFO", "stats", "cpu", "commandstats"])
        guard let text = reply.string, let counters = RedisCounters(info: text) else {
            throw BenchError("redis-server answered INFO with \(reply)")
        }
        return counters
    }

    /// Ends the server and removes its directory. Safe to call twice.
    func stop() {
        connection?.close()
        connection = nil
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: directory)
    }
}
