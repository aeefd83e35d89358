import ArgumentParser
import Foundation
import TokenGateCore

/// `tokengate bench cluster`: what sharing the limit through Redis costs, at several daemon counts.
struct BenchClusterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster",
        abstract: "Measure daemons sharing one limit through Redis against one daemon alone.",
        discussion: """
            Starts its own redis-server on a Unix socket (--save '' --appendonly no) and, for each \
            daemon count N: one daemon alone with N x --clients-per-daemon client processes, then N \
            daemons (`serve --redis --org bench-N-... --host-name hN-i --threshold 1.0`) with the \
            clients spread evenly; each client acquires 100 tokens and reports them, one request \
            outstanding, under a limit that never binds. Then --handoffs handoffs: a worker on one \
            host holds the whole of a 1,000-token limit, a worker on another waits for it, the \
            holder reports, and the time runs from just before the report to the waiter's grant. \
            Everything it started is stopped at the end, also on error.

            Examples:
              tokengate bench cluster
              tokengate bench cluster --daemons 1,2,8 --duration 10 --handoffs 1000
            """
    )

    @Option(help: ArgumentHelp("Daemon counts, comma-separated.", valueName: "list"))
    var daemons: String = "1,4,16"

    @Option(name: .customLong("clients-per-daemon"), help: ArgumentHelp("Client processes per daemon.", valueName: "n"))
    var clientsPerDaemon: Int = 4

    @Option(help: ArgumentHelp("Seconds per fleet case.", valueName: "seconds"))
    var duration: Double = 4

    @Option(help: ArgumentHelp("Handoffs per daemon count.", valueName: "n"))
    var handoffs: Int = 200

    private var daemonCounts: [Int] {
        daemons.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    }

    func validate() throws {
        let counts = daemonCounts
        guard !counts.isEmpty, counts.count == daemons.split(separator: ",").count, counts.allSatisfy({ (1...64).contains($0) })
        else { throw ValidationError("--daemons takes counts from 1 to 64, comma-separated, e.g. --daemons 1,4,16") }
        guard (1...64).contains(clientsPerDaemon) else {
            throw ValidationError("--clients-per-daemon must be from 1 to 64")
        }
        guard let most = counts.max(), most * clientsPerDaemon <= 1_024 else {
            throw ValidationError("--daemons x --clients-per-daemon must be at most 1024 client processes; lower either")
        }
        guard duration.isFinite, duration > 0, duration <= 3_600 else {
            throw ValidationError("--duration must be a number of seconds above 0 and at most 3600")
        }
        guard (1...100_000).contains(handoffs) else { throw ValidationError("--handoffs must be from 1 to 100000") }
    }

    func run() async throws {
        print("tokengate bench cluster: \(MachineDescription.current()), load average \(BenchGatewayCommand.loadAverage())")
        print(BuildConfiguration.benchmarkLine)
        if BuildConfiguration.isDebug { DaemonSession.printError(BuildConfiguration.benchmarkLine) }
        let redis: RedisServerForBench
        do {
            redis = try await RedisServerForBench()
        } catch {
            throw failure("bench cluster: \(error)")
        }
        FileHandle.standardError.write(Data("  started redis-server (pid \(redis.pid)) on \(redis.socketPath)\n".utf8))
        defer { redis.stop() }
        let rows: [ClusterBenchCase.Row]
        do {
            rows = try await measure(redis: redis)
        } catch {
            throw failure("bench cluster: \(error)")
        }
        print("clients: \(clientsPerDaemon) separate processes per daemon, one connection each, one request outstanding")
        print("\(formatDecimal(duration, places: 1)) s per fleet case, \(handoffs) handoffs per daemon count; exact percentiles\n")
        printTable(Self.table(rows))
        Self.printLegend(rows)
    }

    private func measure(redis: RedisServerForBench) async throws -> [ClusterBenchCase.Row] {
        let scratch = try BenchDaemon.makeTemporaryDirectory(prefix: "tg-bc")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let runID = "\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        var rows: [ClusterBenchCase.Row] = []
        for count in daemonCounts {
            let benchCase = ClusterBenchCase(
                daemons: count, clientsPerDaemon: clientsPerDaemon, duration: duration, handoffs: handoffs,
                redis: redis, scratch: scratch, runID: runID)
            rows.append(try await benchCase.run())
        }
        return rows
    }

    static func table(_ rows: [ClusterBenchCase.Row]) -> TextTable {
        var table = TextTable(header: [
            "daemons", "clients", "alone adm/s", "alone p50", "alone p99", "alone CPU/adm", "cluster adm/s",
            "cluster p50", "cluster p99", "added p50", "added p99", "redis calls/adm", "redis cmds/adm", "redis CPU/adm",
            "daemons CPU/adm", "handoff", "handoff p50", "handoff p99", "handoff max",
        ])
        func microseconds(_ value: Double?) -> String {
            value.map { formatDecimal($0, places: 1) + " µs" } ?? "-"
        }
        for row in rows {
            table.append([
                String(row.daemons), String(row.clients),
                formatCount(Int(row.alone.admissionsPerSecond)), formatLatency(row.alone.latency.p50Ns),
                formatLatency(row.alone.latency.p99Ns), microseconds(row.alone.daemonsCPUMicrosecondsPerAdmission),
                formatCount(Int(row.cluster.admissionsPerSecond)), formatLatency(row.cluster.latency.p50Ns),
                formatLatency(row.cluster.latency.p99Ns),
                formatAdded(row.cluster.latency.p50Ns - row.alone.latency.p50Ns),
                formatAdded(row.cluster.latency.p99Ns - row.alone.latency.p99Ns),
                row.redisCallsPerAdmission.map { formatDecimal($0, places: 2) } ?? "-",
                row.redisCommandsPerAdmission.map { formatDecimal($0, places: 1) } ?? "-",
                microseconds(row.redisCPUMicrosecondsPerAdmission),
                microseconds(row.cluster.daemonsCPUMicrosecondsPerAdmission),
                row.daemons == 1 ? "same host" : "across",
                formatLatency(row.handoff.p50Ns), formatLatency(row.handoff.p99Ns), formatLatency(row.handoff.maxNs),
            ])
        }
        return table
    }

    static func printLegend(_ rows: [ClusterBenchCase.Row]) {
        print("""
              adm/s: admissions (acquire granted, then reported) per second over all clients; p50/p99: the \
            acquire's round trip at the client
              alone: one daemon without Redis, all the clients; cluster: the daemons through Redis, the \
            clients spread evenly; added: cluster minus alone
              redis calls/adm: the daemons' requests to Redis (FCALL, XREAD, FUNCTION, SELECT in INFO \
            commandstats; heartbeats and grant-stream reads included) over the cluster case / admissions
              redis cmds/adm: total_commands_processed over the case / admissions (the commands the \
            functions run inside Redis included)
              redis CPU/adm, daemons CPU/adm: used_cpu_sys + used_cpu_user of Redis, and utime + stime \
            of every daemon (/proc), over the case / admissions
              handoff: from just before the holder's report to the waiter's grant, the two on different \
            hosts (at 1 daemon: the same host, through Redis, a reference)
              targets (DESIGN.md): at most 2 Redis calls per admission; a handoff within 10 ms at p99
            """)
        let errors = rows.map { $0.alone.errors + $0.cluster.errors }.reduce(0, +)
        if errors > 0 { print("  client errors over the run: \(errors)") }
    }
}

/// `+1.20 ms`, `-35 µs`: a latency difference, signed.
func formatAdded(_ nanoseconds: Int64) -> String {
    (nanoseconds < 0 ? "-" : "+") + formatLatency(abs(nanoseconds))
}
