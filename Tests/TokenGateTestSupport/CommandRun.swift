import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One run of a command: its exit status and what it printed.
public struct CommandRun: Sendable, CustomStringConvertible {
    public let arguments: [String]
    public let status: Int32
    public let stdout: String
    public let stderr: String

    public var description: String {
        "`\(arguments.joined(separator: " "))` exited \(status)\nstdout: \(stdout)\nstderr: \(stderr)"
    }

    /// The lines of stdout, without the trailing empty one.
    public var stdoutLines: [String] {
        stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).dropLastEmpty()
    }

    /// The lines of stderr, without the trailing empty one.
    public var stderrLines: [String] {
        stderr.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).dropLastEmpty()
    }

    /// Runs `executable` (an absolute path) with `arguments` (environment: this process's, made
    /// hermetic (``HermeticEnvironment``), plus `environment`, where an empty value removes the
    /// variable), killing it after `timeout` seconds.
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:],
        timeout: TimeInterval = 60
    ) async throws -> CommandRun {
        let started = try Started(executable, arguments, environment: environment)
        defer { started.directory.remove() }
        let status = await started.child.wait(timeout: .milliseconds(Int64(timeout * 1000)))
        return try started.finish(status: status, timeout: timeout)
    }

    /// ``run(_:_:environment:timeout:)`` for synchronous tests.
    public static func runBlocking(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:],
        timeout: TimeInterval = 60
    ) throws -> CommandRun {
        let started = try Started(executable, arguments, environment: environment)
        defer { started.directory.remove() }
        let status = started.child.waitBlocking(seconds: timeout)
        return try started.finish(status: status, timeout: timeout)
    }

    /// Runs the `tokengate` executable under test.
    public static func tokengate(
        _ arguments: [String], environment: [String: String] = [:], timeout: TimeInterval = 60
    ) async throws -> CommandRun {
        try await run(try TokenGateBinary.require(), arguments, environment: environment, timeout: timeout)
    }

    /// ``tokengate(_:environment:timeout:)`` for synchronous tests, under `prefix` (a command such
    /// as `setpriv ...` that execs the binary) when one is given.
    public static func tokengateBlocking(
        _ arguments: [String], prefix: [String] = [], environment: [String: String] = [:],
        timeout: TimeInterval = 20
    ) throws -> CommandRun {
        let binary = try TokenGateBinary.require()
        guard let executable = prefix.first else {
            return try runBlocking(binary, arguments, environment: environment, timeout: timeout)
        }
        return try runBlocking(
            executable, Array(prefix.dropFirst()) + [binary] + arguments, environment: environment, timeout: timeout)
    }

    /// A started child with its output files.
    private struct Started {
        let executable: String
        let arguments: [String]
        let directory: TemporaryDirectory
        let child: ChildProcess

        init(_ executable: String, _ arguments: [String], environment: [String: String]) throws {
            self.executable = executable
            self.arguments = arguments
            directory = try TemporaryDirectory(prefix: "tg-run")
            var merged = HermeticEnvironment.variables
            for (name, value) in environment {
                merged[name] = value.isEmpty ? nil : value
            }
            do {
                child = try ChildProcess(
                    [executable] + arguments, environment: merged,
                    stdout: directory.file("out"), stderr: directory.file("err"))
            } catch {
                directory.remove()
                throw error
            }
        }

        /// The run once `status` came (`nil`: it still ran after `timeout` and is killed).
        func finish(status: Int32?, timeout: TimeInterval) throws -> CommandRun {
            let stderr = (try? String(contentsOfFile: directory.file("err"), encoding: .utf8)) ?? ""
            guard let status else {
                child.send(SIGKILL)
                _ = child.waitBlocking(seconds: 5)
                throw TestFailure(
                    "`\(arguments.joined(separator: " "))` still ran after \(timeout) s; stderr: \(stderr)")
            }
            let stdout = (try? String(contentsOfFile: directory.file("out"), encoding: .utf8)) ?? ""
            return CommandRun(arguments: [executable] + arguments, status: status, stdout: stdout, stderr: stderr)
        }
    }
}

extension Array where Element == String {
    fileprivate func dropLastEmpty() -> [String] {
        last == "" ? Array(dropLast()) : self
    }
}
