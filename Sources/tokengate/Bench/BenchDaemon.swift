import Foundation
import TokenGateClient

/// A `tokengate serve` started by a benchmark: this same executable, on a temporary socket, without
/// a journal. ``stop()`` ends it (SIGTERM, then SIGKILL) and removes its directory.
final class BenchDaemon: @unchecked Sendable {
    let directory: String
    let socketPath: String
    let logPath: String
    private let process: Process

    /// The executable running now (`/proc/self/exe`, else argv[0] resolved).
    static func currentExecutable() -> String {
        if let resolved = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return resolved
        }
        return URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().path
    }

    /// A fresh directory under /tmp.
    static func makeTemporaryDirectory(prefix: String) throws -> String {
        var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw BenchError("cannot create a temporary directory under /tmp")
        }
        return String(cString: made)
    }

    /// Starts the daemon with `arguments` after `serve --socket <temp> --no-state`, and waits until it
    /// answers `hello`.
    init(arguments: [String]) async throws {
        directory = try Self.makeTemporaryDirectory(prefix: "tg-bench")
        socketPath = directory + "/d.sock"
        logPath = directory + "/serve.log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        process = Process()
        process.executableURL = URL(fileURLWithPath: Self.currentExecutable())
        process.arguments = ["serve", "--socket", socketPath, "--no-state", "--log-level", "warning"] + arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: logPath)
        do {
            try process.run()
            try await waitUntilReady()
        } catch {
            stop()
            throw error
        }
    }

    var pid: Int32 { process.processIdentifier }

    private func waitUntilReady() async throws {
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline {
            guard process.isRunning else {
                throw BenchError("`tokengate serve` exited with \(process.terminationStatus): \(logTail())")
            }
            if FileManager.default.fileExists(atPath: socketPath) {
                let probe = TokenGateClient(
                    socketPath: socketPath, worker: "bench-probe", options: .init(reconnects: false))
                let ready = (try? await probe.connect()) != nil
                await probe.close()
                if ready { return }
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw BenchError("`tokengate serve` did not accept connections within 15 s: \(logTail())")
    }

    /// The last lines the daemon logged.
    func logTail() -> String {
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(5).joined(separator: " | ")
    }

    /// Asks the daemon to stop (SIGTERM) without waiting; ``stop()`` then waits for it.
    func terminate() {
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
    }

    /// Starts one daemon per argument list, in order; when one fails, those already started are
    /// stopped before the error goes on.
    static func startAll(_ argumentLists: [[String]]) async throws -> [BenchDaemon] {
        var started: [BenchDaemon] = []
        do {
            for arguments in argumentLists { started.append(try await BenchDaemon(arguments: arguments)) }
        } catch {
            stopAll(started)
            throw error
        }
        return started
    }

    /// Ends several daemons: all asked at once (each may wait for its calls to Redis), then each
    /// waited for as ``stop()`` does.
    static func stopAll(_ daemons: [BenchDaemon]) {
        for daemon in daemons { daemon.terminate() }
        for daemon in daemons { daemon.stop() }
    }

    /// Ends the daemon (SIGTERM; SIGKILL after 5 s) and removes its directory. Safe to call twice.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            let deadline = Date().addingTimeInterval(5)
            while process.isRunning && Date() < deadline { usleep(10_000) }
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
        }
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// A benchmark failure, with one line of explanation.
struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
