import ArgumentParser
import Foundation
import TokenGateClient
import TokenGateCore

/// `tokengate bench socket`: the real daemon over its Unix socket, driven by separate client processes.
struct BenchSocketCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "socket",
        abstract: "Measure the real daemon over its Unix socket from separate client processes.",
        discussion: """
            Starts `tokengate serve` (this executable) on a temporary socket with --no-state and a \
            limit that never binds, and always stops it. For each client count it runs report-only \
            throughput and acquire -> grant -> report round trips, each client a separate process \
            with one request outstanding (--driver raw: a blocking socket and pre-encoded lines; \
            --driver client: TokenGateClient); latency percentiles are exact \
            (sorted samples). Then wake-up latency on a daemon with a short window, the daemon's RSS \
            and CPU, and redis-benchmark on a Unix socket as a reference when redis is installed.

            Examples:
              tokengate bench socket
              tokengate bench socket --duration 60 --clients 64
            """
    )

    @Option(help: ArgumentHelp("Client process counts, comma-separated.", valueName: "list"))
    var clients: String = "1,16,64"

    @Option(help: ArgumentHelp("Seconds per throughput case.", valueName: "seconds"))
    var duration: Double = 10

    @Option(help: ArgumentHelp("Wake-up repetitions.", valueName: "n"))
    var wakeups: Int = 10

    @Option(name: .customLong("wake-window"), help: ArgumentHelp("Window of the wake-up daemon, in seconds.", valueName: "seconds"))
    var wakeWindow: Double = 1

    @Option(name: .customLong("redis-requests"), help: ArgumentHelp("Requests per redis-benchmark run.", valueName: "n"))
    var redisRequests: Int = 200_000

    @Option(help: ArgumentHelp(
        "How each client process talks: raw (a blocking socket and pre-encoded lines, like redis-benchmark's C client) or client (TokenGateClient).",
        valueName: "raw|client"))
    var driver: BenchSocketClientCommand.Driver = .raw

    @Flag(name: .customLong("no-redis"), help: "Skip the redis reference.")
    var noRedis = false

    private var clientCounts: [Int] {
        clients.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    }

    func validate() throws {
        let counts = clientCounts
        guard !counts.isEmpty, counts.count == clients.split(separator: ",").count, counts.allSatisfy({ $0 >= 1 && $0 <= 1_000 }) else {
            throw ValidationError("--clients takes counts from 1 to 1000, comma-separated")
        }
        guard duration.isFinite, duration > 0 else { throw ValidationError("--duration must be positive") }
        guard wakeups >= 1 else { throw ValidationError("--wakeups must be at least 1") }
        guard wakeWindow.isFinite, wakeWindow > 0 else { throw ValidationError("--wake-window must be positive") }
    }

    func run() async throws {
        let machine = MachineDescription.current()
        print("tokengate bench socket: \(machine)")
        print(BuildConfiguration.benchmarkLine)
        if BuildConfiguration.isDebug { DaemonSession.printError(BuildConfiguration.benchmarkLine) }
        let driverName = driver == .raw ? "a blocking socket with pre-encoded lines" : "TokenGateClient"
        print("clients: separate processes, \(driverName), one connection each, one request outstanding")
        print("latency: exact percentiles from all samples; \(formatDecimal(duration, places: 1)) s per case\n")

        let scratch = try BenchDaemon.makeTemporaryDirectory(prefix: "tg-bench-clients")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let daemon = try await BenchDaemon(arguments: ["--limit", "9007199254740991"])
        let report: ThroughputReport
        do {
            report = try await measureThroughput(daemon: daemon, scratch: scratch)
        } catch {
            daemon.stop()
            throw failure("bench socket: \(error)")
        }
        daemon.stop()
        report.print()

        let wake: LatencySummary
        do {
            wake = try await measureWakeUp()
        } catch {
            throw failure("bench socket: wake-up: \(error)")
        }
        print(
            "\nwake-up (window \(formatDecimal(wakeWindow, places: 2)) s, \(wake.count) reps): "
                + "p50 \(formatLatency(wake.p50Ns)), p99 \(formatLatency(wake.p99Ns)), max \(formatLatency(wake.maxNs))"
        )
        print("  grant time - (t0 + window); t0 is taken just before the filling report is sent, so this over-states by its send time")

        try await printRedisReference(tokengate: report, scratch: scratch)
    }

    // MARK: Throughput

    private func measureThroughput(daemon: BenchDaemon, scratch: String) async throws -> ThroughputReport {
        let fleet = ClientFleet(executable: BenchDaemon.currentExecutable(), socketPath: daemon.socketPath, directory: scratch, driver: driver.rawValue)
        var report = ThroughputReport(startUsage: ProcessUsage.read(pid: daemon.pid))
        for count in clientCounts {
            for mode in ["report", "rt"] {
                let outcome = try await fleet.run(mode: mode, clients: count, duration: duration, daemonPIDs: [daemon.pid])
                report.add(mode: mode, clients: count, duration: duration, outcome: outcome)
                FileHandle.standardError.write(Data("  done: \(mode) x \(count)\n".utf8))
            }
        }
        report.endUsage = ProcessUsage.read(pid: daemon.pid)
        return report
    }

    // MARK: Wake-up

    /// Fill a short window with one ticketless report of 0.9 x limit at t0, ask at once for more than
    /// fits, and time the grant against t0 + window.
    private func measureWakeUp() async throws -> LatencySummary {
        let limit: Int64 = 1_000_000
        let daemon = try await BenchDaemon(arguments: ["--limit", String(limit), "--window", String(wakeWindow), "--threshold", "0.9"])
        defer { daemon.stop() }
        let client = TokenGateClient(socketPath: daemon.socketPath, worker: "bench-wake", options: .init(reconnects: false))
        try await client.connect()
        let window = Duration.seconds(wakeWindow)
        var samples: [Int64] = []
        for _ in 0..<wakeups {
            let t0 = ContinuousClock.now
            try await client.report(ticket: nil, input: limit * 9 / 10, output: 0)
            let grant = try await client.acquire(tokens: limit / 10, timeout: window * 3)
            let late = ContinuousClock.now - (t0 + window)
            let components = late.components
            samples.append(components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000)
            try await client.report(grant, input: 0, output: 0)
        }
        await client.close()
        return LatencySummary(samples: samples)
    }

    // MARK: Redis

    private func printRedisReference(tokengate: ThroughputReport, scratch: String) async throws {
        guard !noRedis else {
            print("\nredis reference: skipped (--no-redis)")
            return
        }
        let rows: [RedisReference.Row]?
        do {
            rows = try await RedisReference.run(clients: clientCounts, requests: redisRequests, directory: scratch)
        } catch {
            print("\nredis reference: failed: \(error)")
            return
        }
        guard let rows else {
            print("\nredis reference: skipped (redis-server/redis-benchmark not installed: apt-get install redis-server)")
            return
        }
        print("\nreference: redis-benchmark -s <unix socket> -c N -n \(redisRequests) -t set -P 1 (one request-reply each)")
        let header = ["clients", "redis SET/s", "redis p50", "redis p99", "tg report/s", "report/redis", "tg rt/s", "rt/redis"]
        var table = TextTable(header: header)
        for row in rows {
            let reportRate = tokengate.rate(mode: "report", clients: row.clients)
            let rtRate = tokengate.rate(mode: "rt", clients: row.clients)
            func ratio(_ x: Double) -> String {
                row.requestsPerSecond > 0 ? formatDecimal(x / row.requestsPerSecond, places: 2) : "-"
            }
            table.append([
                String(row.clients), formatCount(Int(row.requestsPerSecond)),
                row.p50Ms.map { formatDecimal($0, places: 3) + " ms" } ?? "-",
                row.p99Ms.map { formatDecimal($0, places: 3) + " ms" } ?? "-",
                formatCount(Int(reportRate)), ratio(reportRate), formatCount(Int(rtRate)), ratio(rtRate),
            ])
        }
        printTable(table)
        print("  a round trip (rt) is two request-replies (acquire, report); redis SET is one")
    }
}
