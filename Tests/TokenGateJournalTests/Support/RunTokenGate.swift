import Foundation
import TokenGateTestSupport

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
