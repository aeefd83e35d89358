import Foundation

/// Runs `count` `bench socket-client` processes against one daemon or spread evenly over several
/// (client `i` on socket `i % sockets`), all measuring from the same instant, and gathers their
/// JSON lines.
struct ClientFleet {
    let executable: String
    let socketPaths: [String]
    let directory: String
    /// `raw` (a lean blocking socket) or `client` (TokenGateClient).
    let driver: String

    /// What the fleet and the daemon did during one case.
    struct Outcome {
        var results: [BenchClientResult]
        /// Each daemon's usage at the start and the end of the measured interval, in `daemonPIDs` order.
        var daemonsBefore: [ProcessUsage?] = []
        var daemonsAfter: [ProcessUsage?] = []
        /// Redis's counters at the start and the end of the measured interval, when asked for.
        var redisBefore: RedisCounters?
        var redisAfter: RedisCounters?

        var daemonBefore: ProcessUsage? { daemonsBefore.first ?? nil }
        var daemonAfter: ProcessUsage? { daemonsAfter.first ?? nil }

        /// The CPU seconds all the daemons used in the measured interval; nil when one was unreadable.
        var daemonsCPUSeconds: Double? {
            var total = 0.0
            for (before, after) in zip(daemonsBefore, daemonsAfter) {
                guard let before, let after else { return nil }
                total += after.cpuSeconds - before.cpuSeconds
            }
            return daemonsBefore.isEmpty ? nil : total
        }
    }

    init(executable: String, socketPaths: [String], directory: String, driver: String) {
        self.executable = executable
        self.socketPaths = socketPaths
        self.directory = directory
        self.driver = driver
    }

    init(executable: String, socketPath: String, directory: String, driver: String) {
        self.init(executable: executable, socketPaths: [socketPath], directory: directory, driver: driver)
    }

    func run(
        mode: String, clients count: Int, duration: Double, daemonPIDs: [Int32], redis: RedisServerForBench? = nil
    ) async throws -> Outcome {
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
                "bench", "socket-client", "--socket", socketPaths[index % socketPaths.count], "--mode", mode, "--driver", driver, "--duration", String(duration),
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
        outcome.redisBefore = try await redis?.counters()
        outcome.daemonsBefore = daemonPIDs.map { ProcessUsage.read(pid: $0) }
        try await Task.sleep(for: .seconds(duration))
        outcome.daemonsAfter = daemonPIDs.map { ProcessUsage.read(pid: $0) }
        outcome.redisAfter = try await redis?.counters()
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
