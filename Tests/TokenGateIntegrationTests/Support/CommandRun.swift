import Foundation
import TokenGateTestSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One run of a command: its exit status and what it printed.
struct CommandRun: Sendable, CustomStringConvertible {
    let arguments: [String]
    let status: Int32
    let stdout: String
    let stderr: String

    var description: String {
        "`\(arguments.joined(separator: " "))` exited \(status)\nstdout: \(stdout)\nstderr: \(stderr)"
    }

    /// The lines of stdout, without the trailing empty one.
    var stdoutLines: [String] {
        stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).dropLastEmpty()
    }

    /// The lines of stderr, without the trailing empty one.
    var stderrLines: [String] {
        stderr.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).dropLastEmpty()
    }

    /// Runs `executable` (an absolute path) with `arguments` (environment: this process's, made
    /// hermetic (``HermeticEnvironment``), plus `environment`, where an empty value removes the
    /// variable), killing it after `timeout` seconds.
    static func run(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:],
        timeout: TimeInterval = 60
    ) async throws -> CommandRun {
        let directory = try TemporaryDirectory(prefix: "tg-run")
        defer { directory.remove() }
        let outPath = directory.file("out")
        let errPath = directory.file("err")
        var merged = HermeticEnvironment.variables
        for (name, value) in environment {
            merged[name] = value.isEmpty ? nil : value
        }
        let child = try ChildProcess(
            [executable] + arguments, environment: merged, stdout: outPath, stderr: errPath)
        guard let status = await child.wait(timeout: .milliseconds(Int64(timeout * 1000))) else {
            child.send(SIGKILL)
            _ = child.waitBlocking(seconds: 5)
            let stderr = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
            throw TestFailure(
                "`\(arguments.joined(separator: " "))` still ran after \(timeout) s; stderr: \(stderr)")
        }
        let stdout = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        let stderr = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        return CommandRun(arguments: [executable] + arguments, status: status, stdout: stdout, stderr: stderr)
    }

    /// Runs the `tokengate` executable under test.
    static func tokengate(
        _ arguments: [String], environment: [String: String] = [:], timeout: TimeInterval = 60
    ) async throws -> CommandRun {
        try await run(try TokenGateBinary.require(), arguments, environment: environment, timeout: timeout)
    }
}

extension Array where Element == String {
    fileprivate func dropLastEmpty() -> [String] {
        last == "" ? Array(dropLast()) : self
    }
}

/// Polls `condition` every 10 ms until it holds or `timeout` passes; returns whether it held.
func eventually(
    timeout: Duration = .seconds(5), _ condition: () async throws -> Bool
) async rethrows -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while clock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return try await condition()
}
