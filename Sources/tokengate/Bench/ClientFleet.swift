import Foundation

/// Runs `count` `bench socket-client` processes against one daemon, all measuring from the same
/// instant, and gathers their JSON lines.
struct ClientFleet {
    let executable: String
    let socketPath: String
    let directory: String
    /// `raw` (a lean blocking socket) or `client` (TokenGateClient).
    let driver: String

    /// What the fleet and the daemon did during one case.
    struct Outcome {
        var results: [BenchClientResult]
        var daemonBefore: ProcessUsage?
        var daemonAfter: ProcessUsage?
    }

    func run(mode: String, clients count: Int, duration: Double, daemonPID: Int32) async throws -> Outcome {
        // Leave time for every process to start and connect (a few ms each on a loaded machine).
        let startAt = Date().timeIntervalSince1970 + 1.0 + 0.03 * Double(count)
        var processes: [(Process, String)] = []
        defer {
            for (process, _) in processes where process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        for index in 0..<count {
            let outPath = "\(directory)/\(mode)-\(count)-\(index).out"
            _ = FileManager.default.createFile(atPath: outPath, contents: nil)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = [
                "bench", "socket-client", "--socket", socketPath, "--mode", mode, "--driver", driver, "--duration", String(duration),
                "--worker", "bench-\(index)", "--start-at", String(startAt),
            ]
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = FileHandle(forWritingAtPath: outPath)
            process.standardError = FileHandle(forWritingAtPath: "/dev/null")
            try process.run()
            processes.append((process, outPath))
        }
        var outcome = Outcome(results: [])
        let untilStart = startAt - Date().timeIntervalSince1970
        if untilStart > 0 { try await Task.sleep(for: .seconds(untilStart)) }
        outcome.daemonBefore = ProcessUsage.read(pid: daemonPID)
        try await Task.sleep(for: .seconds(duration))
        outcome.daemonAfter = ProcessUsage.read(pid: daemonPID)
        let deadline = Date().addingTimeInterval(30 + duration)
        for (process, outPath) in processes {
            while process.isRunning {
                guard Date() < deadline else { throw BenchError("a client process did not finish in time") }
                try await Task.sleep(for: .milliseconds(20))
            }
            guard process.terminationStatus == 0 else {
                throw BenchError("a client process exited with \(process.terminationStatus)")
            }
            let data = try Data(contentsOf: URL(fileURLWithPath: outPath))
            outcome.results.append(try JSONDecoder().decode(BenchClientResult.self, from: data))
            try? FileManager.default.removeItem(atPath: outPath)
        }
        return outcome
    }
}
