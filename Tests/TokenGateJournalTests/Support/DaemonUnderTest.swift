import Foundation
import TokenGateTestSupport

/// A `tokengate serve` started by a test. Always `stop()` it (SIGTERM, then SIGKILL), also on
/// failure: use `withDaemon` or a `defer`.
final class DaemonUnderTest {
    let process: Process
    let socketPath: String
    let logPath: String

    /// Starts `tokengate serve --socket socketPath arguments...` and waits until it accepts
    /// connections; throws with its log when it exits first or does not come up in time.
    init(socket socketPath: String, arguments: [String], logPath: String, environment: [String: String]? = nil) throws {
        let binary = try TokenGateBinary.require()
        self.socketPath = socketPath
        self.logPath = logPath
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        guard let logFile = FileHandle(forWritingAtPath: logPath) else { throw TestFailure("cannot write \(logPath)") }
        process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["serve", "--socket", socketPath] + arguments
        process.standardOutput = logFile
        process.standardError = logFile
        process.standardInput = FileHandle.nullDevice
        process.environment = environment ?? HermeticEnvironment.variables
        try process.run()
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if !process.isRunning {
                throw TestFailure("tokengate serve exited with \(process.terminationStatus): \(self.log())")
            }
            if (try? LineClient(path: socketPath)) != nil { return }
            usleep(20_000)
        }
        stop()
        throw TestFailure("tokengate serve did not come up within 20 s: \(self.log())")
    }

    /// What the daemon logged so far.
    func log() -> String {
        (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
    }

    /// A new client connection.
    func client() throws -> LineClient { try LineClient(path: socketPath) }

    /// SIGTERM, then SIGKILL after `grace` seconds. Returns the exit status.
    @discardableResult
    func stop(grace: Double = 5) -> Int32 {
        guard process.isRunning else { return process.terminationStatus }
        kill(process.processIdentifier, SIGTERM)
        if !waitForExit(timeout: grace) {
            kill(process.processIdentifier, SIGKILL)
            _ = waitForExit(timeout: 10)
        }
        return process.terminationStatus
    }

    /// SIGKILL at once, as a crash would.
    func crash() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        _ = waitForExit(timeout: 10)
    }

    private func waitForExit(timeout: Double) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { usleep(5_000) }
        if process.isRunning { return false }
        process.waitUntilExit()
        return true
    }

    deinit { stop(grace: 1) }
}

/// Runs `body` with a started daemon and stops the daemon afterwards, whatever happens.
func withDaemon<T>(
    socket: String, arguments: [String], logPath: String, environment: [String: String]? = nil,
    _ body: (DaemonUnderTest) throws -> T
) throws -> T {
    let daemon = try DaemonUnderTest(socket: socket, arguments: arguments, logPath: logPath, environment: environment)
    defer { daemon.stop() }
    return try body(daemon)
}
