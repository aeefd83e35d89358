import Foundation
import TokenGateWire

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A real `tokengate serve` started by a test, on a ``ChildProcess``.
///
/// ```swift
/// try await DaemonProcess.with { daemon in
///     let client = TokenGateClient(socketPath: daemon.socketPath)
///     ...
/// }
/// ```
///
/// `with` (async) and `withBlocking` (synchronous tests) always stop the daemon (SIGTERM, then
/// SIGKILL after a grace period), whether the body returns or throws; so does dropping the last
/// reference; daemons still running when the test process exits are killed then.
public final class DaemonProcess: @unchecked Sendable {
    /// The directory holding the daemon's logs (and, with `with`, its socket).
    public let directory: TemporaryDirectory
    public let socketPath: String
    /// What follows `serve --socket socketPath`.
    public let arguments: [String]
    /// When set, the daemon starts under `ulimit -n fileLimit` (through `/bin/sh`, which execs it).
    public let fileLimit: Int?
    private let environment: [String: String]
    /// The one log file of every start; `nil`: `daemon-N.log` for the N-th start.
    private let logName: String?
    private let lock = NSLock()
    private var child: ChildProcess?
    private var starts = 0

    /// The arguments every `with` daemon gets unless the test passes others: a short window, no state file.
    public static let baseArguments = ["--window", "2", "--no-state"]

    /// How long a daemon may take to accept connections.
    static let startTimeout: Duration = .seconds(20)

    /// A daemon not started yet: `serve --socket socketPath arguments...`, logging into `directory`.
    public init(
        directory: TemporaryDirectory, socket socketPath: String, arguments: [String], fileLimit: Int? = nil,
        logName: String? = nil, environment: [String: String]? = nil
    ) {
        self.directory = directory
        self.socketPath = socketPath
        self.arguments = arguments
        self.fileLimit = fileLimit
        self.logName = logName
        self.environment = environment ?? HermeticEnvironment.variables
    }

    /// Starts a daemon on a socket in a fresh temporary directory with `base + arguments`, runs
    /// `body`, stops the daemon and removes the directory.
    public static func with<Result>(
        arguments: [String] = [], fileLimit: Int? = nil, base: [String] = baseArguments,
        _ body: (DaemonProcess) async throws -> Result
    ) async throws -> Result {
        let directory = try TemporaryDirectory()
        let daemon = DaemonProcess(
            directory: directory, socket: directory.file("d.sock"), arguments: base + arguments, fileLimit: fileLimit)
        defer {
            daemon.stop()
            directory.remove()
        }
        try await daemon.start()
        return try await body(daemon)
    }

    /// Starts `serve --socket socket arguments...` logging to `directory/logName`, runs `body`,
    /// stops the daemon (the test owns `directory`).
    public static func withBlocking<Result>(
        socket: String, arguments: [String], directory: TemporaryDirectory, logName: String,
        environment: [String: String]? = nil, _ body: (DaemonProcess) throws -> Result
    ) throws -> Result {
        let daemon = try started(
            socket: socket, arguments: arguments, directory: directory, logName: logName, environment: environment)
        defer { daemon.stop() }
        return try body(daemon)
    }

    /// A daemon started with ``startBlocking()``; stop it (a `defer`), or let it go.
    public static func started(
        socket: String, arguments: [String], directory: TemporaryDirectory, logName: String,
        environment: [String: String]? = nil
    ) throws -> DaemonProcess {
        let daemon = DaemonProcess(
            directory: directory, socket: socket, arguments: arguments, logName: logName, environment: environment)
        try daemon.startBlocking()
        return daemon
    }

    /// Starts (or, after `kill9()`/`stop()`, restarts) the daemon on the same socket and waits
    /// until it accepts connections.
    public func start() async throws {
        let child = try spawn()
        let clock = ContinuousClock()
        let deadline = clock.now + Self.startTimeout
        while clock.now < deadline {
            if try isListening(child) { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        try notListening()
    }

    /// ``start()`` for synchronous tests.
    public func startBlocking() throws {
        let child = try spawn()
        let clock = ContinuousClock()
        let deadline = clock.now + Self.startTimeout
        while clock.now < deadline {
            if try isListening(child) { return }
            usleep(20_000)
        }
        try notListening()
    }

    private func spawn() throws -> ChildProcess {
        let binary = try TokenGateBinary.require()
        let start = lock.withLock { starts += 1; return starts }
        let logPath = directory.file(logName ?? "daemon-\(start).log")
        var argv = [binary, "serve", "--socket", socketPath] + arguments
        if let fileLimit { argv = ["/bin/sh", "-c", "ulimit -n \(fileLimit) && exec \"$0\" \"$@\""] + argv }
        let child = try ChildProcess(argv, environment: environment, stdout: logPath, stderr: logPath)
        lock.withLock { self.child = child }
        return child
    }

    /// Whether `child` accepts connections; throws with the log when it exited.
    private func isListening(_ child: ChildProcess) throws -> Bool {
        if let status = child.poll() {
            throw TestFailure("tokengate serve exited with \(status) before listening:\n\(log)")
        }
        return UnixSocketConnector.accepts(path: socketPath)
    }

    private func notListening() throws -> Never {
        stop()
        throw TestFailure("tokengate serve did not listen on \(socketPath) within \(Self.startTimeout):\n\(log)")
    }

    /// The process id of the running daemon.
    public var pid: Int32? {
        lock.withLock { child.flatMap { $0.isRunning ? $0.pid : nil } }
    }

    /// A new client connection.
    public func client() throws -> LineClient { try LineClient(path: socketPath) }

    /// SIGTERM, then SIGKILL if it has not exited after `grace`. Returns the exit status (nil when
    /// it had to be killed or was never started).
    @discardableResult
    public func stop(grace: TimeInterval = 5) -> Int32? {
        guard let child = lock.withLock({ self.child }) else { return nil }
        return child.terminate(grace: grace)
    }

    /// SIGKILL, as a crash would; the socket file stays behind.
    public func kill9() {
        guard let child = lock.withLock({ self.child }) else { return }
        child.send(SIGKILL)
        _ = child.waitBlocking(seconds: 5)
    }

    /// Everything the daemon wrote so far (all starts).
    public var log: String {
        let names = logName.map { [$0] } ?? (1...max(1, lock.withLock { starts })).map { "daemon-\($0).log" }
        return names.compactMap { name in
            try? String(contentsOfFile: directory.file(name), encoding: .utf8)
        }.joined(separator: "\n--- restart ---\n")
    }

    deinit { _ = child?.terminate(grace: 1) }
}
