import Foundation
import TokenGateTestSupport

/// Runs one of the hardening scripts (`scripts/hardening/*.py`) against a test daemon and reads
/// the JSON objects it prints, one a line. The long runs use the same scripts (scripts/*.sh).
struct HardeningScript {
    let run: CommandRun
    let results: [[String: Any]]

    /// `python3` on the PATH, if any. (The Python client's own suites run under pytest in
    /// .ci/run, in a virtual environment with the package installed.)
    static var python: String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/python3"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    static func run(_ name: String, _ arguments: [String], timeout: TimeInterval = 120) async throws -> HardeningScript {
        guard let python else { throw TestFailure("python3 is needed for the hardening scripts") }
        let script = TokenGateBinary.packageRoot.appendingPathComponent("scripts/hardening/\(name)").path
        let run = try await CommandRun.run(
            python, [script] + arguments, environment: ["PYTHONDONTWRITEBYTECODE": "1"], timeout: timeout
        )
        let results = run.stdout.split(separator: "\n").compactMap { line -> [String: Any]? in
            guard let data = line.data(using: .utf8) else { return nil }
            return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
        }
        return HardeningScript(run: run, results: results)
    }

    /// The first result, or an error showing what the script printed.
    func result() throws -> [String: Any] {
        guard let first = results.first else { throw TestFailure("no result from the script:\n\(run)") }
        return first
    }
}

extension Dictionary where Key == String, Value == Any {
    func int(_ key: String) -> Int { (self[key] as? NSNumber)?.intValue ?? -1 }
    func double(_ key: String) -> Double { (self[key] as? NSNumber)?.doubleValue ?? .nan }
    func bool(_ key: String) -> Bool { (self[key] as? Bool) ?? false }
}
