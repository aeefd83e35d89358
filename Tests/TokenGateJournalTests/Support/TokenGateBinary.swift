import Foundation
import TokenGateTestSupport

/// The `tokengate` executable the tests run: `$TOKENGATE_BINARY`, else the one built beside the
/// test bundle (`swift test` builds every product into the same folder).
enum TokenGateBinary {
    static let path: String? = {
        let environment = ProcessInfo.processInfo.environment
        if let explicit = environment["TOKENGATE_BINARY"], !explicit.isEmpty { return explicit }
        var candidates: [String] = []
        if let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            candidates.append(directory(of: executable))
        }
        candidates.append(directory(of: Bundle.main.bundlePath))
        if let first = CommandLine.arguments.first { candidates.append(directory(of: first)) }
        return candidates.map { $0 + "/tokengate" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    private static func directory(of path: String) -> String {
        var directory = (path as NSString).deletingLastPathComponent
        // A .xctest bundle directory (Darwin) sits in the products folder too.
        if directory.hasSuffix(".xctest/Contents/MacOS") {
            for _ in 0..<3 { directory = (directory as NSString).deletingLastPathComponent }
        }
        return directory
    }

    /// The executable's path, or a failure saying how to point the tests at it.
    static func require() throws -> String {
        guard let path else {
            throw TestFailure("tokengate binary not found beside the tests; build it or set TOKENGATE_BINARY")
        }
        return path
    }
}

/// What a finished `tokengate` command printed and returned.
struct CommandResult {
    let status: Int32
    let standardOutput: String
    let standardError: String
}

/// Runs `tokengate arguments...` to completion (killed after `timeout` seconds).
func runTokenGate(
    _ arguments: [String], prefix: [String] = [], timeout: Double = 20, environment: [String: String]? = nil
) throws -> CommandResult {
    let binary = try TokenGateBinary.require()
    let process = Process()
    let output = Pipe()
    let error = Pipe()
    if prefix.isEmpty {
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
    } else {
        process.executableURL = URL(fileURLWithPath: prefix[0])
        process.arguments = Array(prefix.dropFirst()) + [binary] + arguments
    }
    process.environment = environment ?? HermeticEnvironment.variables
    process.standardOutput = output
    process.standardError = error
    process.standardInput = FileHandle.nullDevice
    try process.run()
    // Read both pipes while the process runs, so that a chatty one never blocks on a full pipe.
    let outputData = ReadAll(output.fileHandleForReading)
    let errorData = ReadAll(error.fileHandleForReading)
    let deadline = Date().addingTimeInterval(timeout)
    while process.isRunning, Date() < deadline { usleep(10_000) }
    if process.isRunning {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        throw TestFailure("tokengate \(arguments.joined(separator: " ")) did not finish within \(timeout) s")
    }
    process.waitUntilExit()
    return CommandResult(
        status: process.terminationStatus, standardOutput: outputData.text(), standardError: errorData.text()
    )
}

/// Reads a pipe to its end on a thread of its own.
final class ReadAll: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var data = Data()

    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }
    }

    func text() -> String {
        done.wait()
        return String(decoding: data, as: UTF8.self)
    }
}
