import Foundation
import TokenGateTestSupport
import Testing

extension OneAtATime {
    /// `tokengate bench socket`, briefly: it runs end to end and prints a table with real numbers.
    /// (A smoke run only; the benchmark's figures are not checked against targets here.)
    @Suite("bench socket smoke run")
    struct BenchSocketSmokeTests {
        @Test("a short run prints report-only and round-trip rows with throughput above zero, and wake-up latency")
        func shortRun() async throws {
            let run = try await CommandRun.tokengate(
                [
                    "bench", "socket", "--duration", "1", "--clients", "1,2", "--wakeups", "2", "--wake-window", "0.3",
                    "--no-redis",
                ],
                timeout: 120)
            #expect(run.status == 0, "\(run)")
            for kind in ["report-only", "acquire+report"] {
                let rows = run.stdoutLines.filter { $0.hasPrefix(kind) }
                #expect(rows.count == 2, "\(kind) rows in:\n\(run.stdout)")
                for row in rows {
                    let cells = row.split(separator: " ", omittingEmptySubsequences: true)
                    // case, clients, ops/s, ...
                    let rate = cells.count > 2 ? Int(cells[2].replacingOccurrences(of: ",", with: "")) : nil
                    #expect((rate ?? 0) > 0, "\(row)")
                }
            }
            #expect(run.stdout.contains("wake-up (window 0.30 s, 2 reps): p50"), "\(run.stdout)")
            #expect(run.stdout.contains("daemon RSS:"), "\(run.stdout)")
            #expect(run.stdout.contains("redis reference: skipped"), "\(run.stdout)")
            // The build configuration, and a warning on stdout and stderr when it is a debug build.
            let build = run.stdoutLines.first { $0.hasPrefix("build: ") } ?? ""
            #expect(build == "build: release" || build.hasPrefix("build: debug - WARNING"), "\(run.stdout)")
            if build.hasPrefix("build: debug") {
                #expect(run.stderr.contains("a debug build runs 5-9 times slower"), "\(run)")
                #expect(build.contains("swift build -c release"), "\(build)")
            }
        }

        @Test("the TokenGateClient driver runs the same cases")
        func clientDriver() async throws {
            let run = try await CommandRun.tokengate(
                [
                    "bench", "socket", "--duration", "0.5", "--clients", "1", "--wakeups", "1", "--wake-window", "0.3",
                    "--no-redis", "--driver", "client",
                ],
                timeout: 120)
            #expect(run.status == 0, "\(run)")
            #expect(run.stdout.contains("clients: separate processes, TokenGateClient"), "\(run.stdout)")
            #expect(run.stdoutLines.contains { $0.hasPrefix("acquire+report") }, "\(run.stdout)")
        }

        /// The reference used to hang: redis-server inherited a blocked SIGTERM and never stopped.
        @Test("the redis reference runs and ends when redis is installed, and says so when it is not")
        func redisReference() async throws {
            let run = try await CommandRun.tokengate(
                [
                    "bench", "socket", "--duration", "0.5", "--clients", "1", "--wakeups", "1", "--wake-window", "0.3",
                    "--redis-requests", "2000",
                ],
                timeout: 120)
            #expect(run.status == 0, "\(run)")
            let installed = ["/usr/bin/redis-server", "/usr/bin/redis-benchmark"].allSatisfy {
                FileManager.default.isExecutableFile(atPath: $0)
            }
            if installed {
                #expect(run.stdout.contains("reference: redis-benchmark"), "\(run.stdout)")
                let row = run.stdoutLines.first { $0.hasPrefix("1 ") }
                let rate = row.flatMap { $0.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first }
                    .flatMap { Int($0.replacingOccurrences(of: ",", with: "")) }
                #expect((rate ?? 0) > 0, "\(run.stdout)")
            } else {
                #expect(run.stdout.contains("redis reference: skipped (redis-server/redis-benchmark not installed"), "\(run.stdout)")
            }
        }
    }
}
