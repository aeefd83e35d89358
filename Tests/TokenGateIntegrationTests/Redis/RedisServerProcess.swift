import Foundation
import TokenGateTestSupport
import TokenGateRedis

#if canImport(Glibc)
import Glibc
#endif

/// A redis-server of the test's own on a Unix socket in a short temporary directory, without
/// persistence (`--save '' --appendonly no`), stopped by its pid however the test ends.
final class RedisServerProcess: @unchecked Sendable {
    static let executable = "/usr/bin/redis-server"
    static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: executable) }
    let directory: TemporaryDirectory
    let socketPath: String
    /// The TCP port it also listens on (0: none).
    let port: Int
    private let lock = NSLock()
    private var child: ChildProcess?
    private var starts = 0

    var endpoint: RedisEndpoint { RedisEndpoint(address: .unixSocket(path: socketPath)) }
    var url: String { "unix://\(socketPath)" }

    private init(port: Int) throws {
        directory = try TemporaryDirectory(prefix: "tg-rd")
        socketPath = directory.file("r.sock")
        self.port = port
    }

    /// Runs `body` with a started server; stops it and removes its directory afterwards.
    static func with<Result>(tcp: Bool = false, _ body: (RedisServerProcess) async throws -> Result) async throws -> Result {
        guard isInstalled else {
            throw TestFailure("\(executable) is missing: install redis-server (.ci/run does)")
        }
        let server = try RedisServerProcess(port: tcp ? try FreePort.closed() : 0)
        defer {
            server.stop()
            server.directory.remove()
        }
        try await server.start()
        return try await body(server)
    }

    /// Starts (or restarts, empty) the server and waits until it answers PING.
    func start() async throws {
        let log = directory.file("redis-\(lock.withLock { starts += 1; return starts }).log")
        let child = try ChildProcess(
            [Self.executable, "--port", String(port), "--bind", "127.0.0.1", "--unixsocket", socketPath,
             "--unixsocketperm", "700", "--save", "", "--appendonly", "no", "--dir", directory.path],
            environment: [:], stdout: log, stderr: log
        )
        lock.withLock { self.child = child }
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(10)
        while clock.now < deadline {
            guard child.isRunning else {
                throw TestFailure("redis-server exited: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
            }
            if let connection = try? await RedisConnection.connect(to: endpoint) {
                defer { connection.close() }
                if (try? await connection.send(RESPCommand(["PING"]))) == .simpleString("PONG") { return }
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw TestFailure("redis-server did not answer within 10 s")
    }

    /// Stops the server (SIGTERM, then SIGKILL), by its pid.
    func stop() {
        lock.withLock { child }?.terminate(grace: 3)
    }

    /// Kills the server at once (its data is lost: it keeps none on disk).
    func kill9() {
        guard let child = lock.withLock({ child }) else { return }
        child.send(SIGKILL)
        _ = child.waitBlocking(seconds: 5)
    }
}
