import Foundation
import TokenGateTestSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A real `tokengate serve` on a temporary socket, for one test.
///
/// ```swift
/// try await DaemonProcess.with { daemon in
///     let client = TokenGateClient(socketPath: daemon.socketPath)
///     ...
/// }
/// ```
///
/// `with` always stops the daemon (SIGTERM, then SIGKILL after a grace period), whether the body
/// returns or throws; daemons still running when the test process exits are killed then
/// (``ChildRegistry``).
final class DaemonProcess: @unchecked Sendable {
    /// The temporary directory holding the socket and the daemon's log.
    let directory: TemporaryDirectory
    let socketPath: String
    let arguments: [String]
    /// When set, the daemon starts under `ulimit -n fileLimit` (through `/bin/sh`, which execs it).
    let fileLimit: Int?
    /// `baseArguments`, unless a test needs others (a journal instead of `--no-state`).
    let base: [String]
    private let lock = NSLock()
    private var child: ChildProcess?
    private var starts = 0

    /// The arguments every test daemon gets: a short window, no state file.
    static let baseArguments = ["--window", "2", "--no-state"]

    private init(arguments: [String], fileLimit: Int?, base: [String]) throws {
        directory = try TemporaryDirectory()
        socketPath = directory.file("d.sock")
        self.arguments = arguments
        self.fileLimit = fileLimit
        self.base = base
    }

    /// Starts a daemon with `arguments` added to the base ones, runs `body`, stops the daemon.
    static func with<Result>(
        arguments: [String] = [], fileLimit: Int? = nil, base: [String] = baseArguments,
        _ body: (DaemonProcess) async throws -> Result
    ) async throws -> Result {
        let daemon = try DaemonProcess(arguments: arguments, fileLimit: fileLimit, base: base)
        defer {
            daemon.stop()
            daemon.directory.remove()
        }
        try await daemon.start()
        return try await body(daemon)
    }

    /// Starts (or, after `kill9()`/`stop()`, restarts) the daemon on the same socket and waits
    /// until it accepts connections.
    func start() async throws {
        let binary = try TokenGateBinary.require()
        let logPath = directory.file("daemon-\(lock.withLock { starts += 1; return starts }).log")
        var argv = [binary, "serve", "--socket", socketPath] + base + arguments
        if let fileLimit { argv = ["/bin/sh", "-c", "ulimit -n \(fileLimit) && exec \"$0\" \"$@\""] + argv }
        let child = try ChildProcess(
            argv,
            environment: HermeticEnvironment.variables, stdout: logPath, stderr: logPath)
        lock.withLock { self.child = child }

        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(15)
        while clock.now < deadline {
            if let status = child.poll() {
                throw TestFailure("tokengate serve exited with \(status) before listening:\n\(log)")
            }
            if UnixSocketProbe.accepts(socketPath) { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        stop()
        throw TestFailure("tokengate serve did not listen on \(socketPath) within 15 s:\n\(log)")
    }

    /// The process id of the running daemon.
    var pid: Int32? {
        lock.withLock { child.flatMap { $0.isRunning ? $0.pid : nil } }
    }

    /// SIGTERM, then SIGKILL if it has not exited after `grace`. Returns the exit status (nil when
    /// it had to be killed or was never started).
    @discardableResult
    func stop(grace: TimeInterval = 5) -> Int32? {
        guard let child = lock.withLock({ self.child }) else { return nil }
        return child.terminate(grace: grace)
    }

    /// SIGKILL, as a crash would; the socket file stays behind.
    func kill9() {
        guard let child = lock.withLock({ self.child }) else { return }
        child.send(SIGKILL)
        _ = child.waitBlocking(seconds: 5)
    }

    /// Everything the daemon wrote so far (all starts).
    var log: String {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".log") }.sorted().compactMap { name in
            try? String(contentsOfFile: directory.file(name), encoding: .utf8)
        }.joined(separator: "\n--- restart ---\n")
    }
}
