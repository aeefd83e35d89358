import Foundation
import TokenGateTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension OneAtATime {
    /// `tokengate bench cluster`, briefly: it runs end to end against its own redis-server, prints
    /// a row per daemon count with real numbers, and leaves nothing running.
    @Suite("bench cluster")
    struct BenchClusterTests {
        @Test("a short run at 1 and 2 daemons prints both rows with real figures and stops all it started")
        func shortRun() async throws {
            guard FileManager.default.isExecutableFile(atPath: RedisServerProcess.executable) else {
                throw TestFailure("\(RedisServerProcess.executable) is missing: install redis-server (.ci/run does)")
            }
            let run = try await CommandRun.tokengate(
                ["bench", "cluster", "--daemons", "1,2", "--duration", "1", "--handoffs", "20"], timeout: 300)
            #expect(run.status == 0, "\(run)")
            let table = BenchTable(lines: run.stdoutLines)
            let daemonCounts: [String] = table.rows.map { $0["daemons"] ?? "" }
            #expect(daemonCounts == ["1", "2"], "\(run.stdout)")
            for row in table.rows {
                let alone: Int = BenchTable.count(row["alone adm/s"]) ?? 0
                let cluster: Int = BenchTable.count(row["cluster adm/s"]) ?? 0
                let calls: Double = Double(row["redis calls/adm"] ?? "") ?? 0
                let p99: Double = BenchTable.microseconds(row["cluster p99"]) ?? 0
                #expect(alone > 0, "\(row)")
                #expect(cluster > 0, "\(row)")
                #expect(calls > 0, "\(row)")
                #expect(p99 > 0, "\(row)")
            }
            let two: [String: String] = table.rows.last ?? [:]
            let handoffP99: Double = BenchTable.microseconds(two["handoff p99"]) ?? 0
            #expect(two["handoff"] == "across", "\(two)")
            #expect(handoffP99 > 0, "\(two)")
            #expect(two["clients"] == "8", "\(two)")

            // One redis-server, then per daemon count: the daemon alone, the cluster, the handoff daemons.
            let pids: [Int32] = run.stderrLines.filter { $0.contains("started ") }.flatMap(Self.pids)
            let started = 1 + (1 + 1 + 1) + (1 + 2 + 2)
            #expect(pids.count == started, "\(run.stderr)")
            for pid in pids {
                #expect(!Self.isRunningOurs(pid), "pid \(pid) is still running: \(run.stderr)")
            }
        }

        @Test("bad options are usage errors that say what to pass")
        func badOptions() async throws {
            let run = try await CommandRun.tokengate(["bench", "cluster", "--daemons", "1,zero"])
            #expect(run.status == 2, "\(run)")
            #expect(run.stderr.contains("--daemons takes counts from 1 to 64, comma-separated"), "\(run)")
            let many = try await CommandRun.tokengate(["bench", "cluster", "--daemons", "64", "--clients-per-daemon", "64"])
            #expect(many.status == 2, "\(many)")
            #expect(many.stderr.contains("at most 1024 client processes"), "\(many)")
        }

        /// The numbers after `(pid ` or `(pids ` in a progress line.
        static func pids(in line: String) -> [Int32] {
            guard let open = line.range(of: "(pid") else { return [] }
            let rest = line[open.upperBound...].drop { $0 != " " }
            return rest.prefix { $0 != ")" }.split(separator: " ").compactMap { Int32($0) }
        }

        /// Whether `pid` is alive and is a redis-server or a `tokengate serve` (not a reused pid).
        static func isRunningOurs(_ pid: Int32) -> Bool {
            guard kill(pid, 0) == 0,
                let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline")
            else { return false }
            let command = String(decoding: data.map { $0 == 0 ? UInt8(ascii: " ") : $0 }, as: UTF8.self)
            return command.contains("redis-server") || command.contains(" serve ")
        }
    }
}
