import Foundation

/// One daemon count of `bench cluster`: the same closed-loop fleet against one daemon alone and
/// against `daemons` daemons sharing the limit through Redis, then the handoff between hosts.
struct ClusterBenchCase {
    /// A limit that never binds (the fleet measures the path, not the limit): 10^12 tokens per window.
    static let openLimit = "1000000000000"

    let daemons: Int
    let clientsPerDaemon: Int
    let duration: Double
    let handoffs: Int
    let redis: RedisServerForBench
    /// Where the client processes write their results.
    let scratch: String
    /// Makes each run's organisations its own.
    let runID: String

    /// What one fleet did.
    struct FleetFigures {
        let admissionsPerSecond: Double
        let admissions: Int
        let errors: Int
        /// Each acquire's round trip, as the client saw it.
        let latency: LatencySummary
        let daemonsCPUMicrosecondsPerAdmission: Double?
    }

    /// The figures of one daemon count.
    struct Row {
        let daemons: Int
        let clients: Int
        let alone: FleetFigures
        let cluster: FleetFigures
        let redisCallsPerAdmission: Double?
        let redisCommandsPerAdmission: Double?
        let redisCPUMicrosecondsPerAdmission: Double?
        let handoff: LatencySummary
    }

    var clients: Int { daemons * clientsPerDaemon }

    func run() async throws -> Row {
        progress("\(daemons) daemon(s), \(clients) clients: one daemon alone")
        let alone = try await withDaemons([["--limit", Self.openLimit]]) { started in
            try await fleet(started, redis: nil)
        }
        progress("\(daemons) daemon(s), \(clients) clients: \(daemons) daemon(s) through Redis")
        let org = "bench-\(daemons)-\(runID)"
        let shared = (0..<daemons).map { index in
            [
                "--limit", Self.openLimit, "--threshold", "1.0", "--redis", redis.url, "--org", org,
                "--host-name", "h\(daemons)-\(index)",
            ]
        }
        let cluster = try await withDaemons(shared) { started in try await fleet(started, redis: redis) }
        progress("\(daemons) daemon(s): \(handoffs) handoffs")
        let handoffOrg = org + "-handoff"
        let handoffArguments = (0..<daemons).map { index in
            ClusterHandoff.serveArguments(redisURL: redis.url, org: handoffOrg, hostName: "h\(daemons)-\(index)")
        }
        let handoff = try await withDaemons(handoffArguments) { started in
            try await ClusterHandoff(daemons: started, redis: redis, org: handoffOrg).measure(count: handoffs)
        }
        let admissions = Double(max(cluster.figures.admissions, 1))
        var calls: Double?
        var commands: Double?
        var redisCPU: Double?
        if let before = cluster.outcome.redisBefore, let after = cluster.outcome.redisAfter {
            calls = Double(after.daemonCalls - before.daemonCalls) / admissions
            // The INFO that took the first reading is counted in the second.
            commands = Double(after.commandsProcessed - before.commandsProcessed - 1) / admissions
            redisCPU = (after.cpuSeconds - before.cpuSeconds) * 1e6 / admissions
        }
        return Row(
            daemons: daemons, clients: clients, alone: alone.figures, cluster: cluster.figures,
            redisCallsPerAdmission: calls, redisCommandsPerAdmission: commands, redisCPUMicrosecondsPerAdmission: redisCPU, handoff: handoff)
    }

    /// Starts one daemon per argument list, runs `body`, and stops them all however it ends.
    private func withDaemons<Result>(
        _ argumentLists: [[String]], _ body: ([BenchDaemon]) async throws -> Result
    ) async throws -> Result {
        let started = try await BenchDaemon.startAll(argumentLists)
        defer { BenchDaemon.stopAll(started) }
        progress("  started \(started.count) daemon(s) (pids \(started.map { String($0.pid) }.joined(separator: " ")))")
        return try await body(started)
    }

    private func fleet(
        _ started: [BenchDaemon], redis: RedisServerForBench?
    ) async throws -> (figures: FleetFigures, outcome: ClientFleet.Outcome) {
        let fleet = ClientFleet(
            executable: BenchDaemon.currentExecutable(), socketPaths: started.map(\.socketPath), directory: scratch,
            driver: BenchSocketClientCommand.Driver.raw.rawValue)
        let outcome = try await fleet.run(
            mode: BenchSocketClientCommand.Mode.acquire.rawValue, clients: clients, duration: duration,
            daemonPIDs: started.map(\.pid), redis: redis)
        let admissions = outcome.results.reduce(0) { $0 + $1.count }
        let elapsed = outcome.results.map(\.elapsedSeconds).max() ?? duration
        let figures = FleetFigures(
            admissionsPerSecond: Double(admissions) / max(elapsed, 1e-9), admissions: admissions,
            errors: outcome.results.reduce(0) { $0 + $1.errors },
            latency: LatencySummary(samples: outcome.results.flatMap(\.latenciesNs)),
            daemonsCPUMicrosecondsPerAdmission: outcome.daemonsCPUSeconds.map { $0 * 1e6 / Double(max(admissions, 1)) })
        return (figures, outcome)
    }

    private func progress(_ line: String) {
        FileHandle.standardError.write(Data(("  " + line + "\n").utf8))
    }
}
