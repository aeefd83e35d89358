import Foundation
import TokenGateCore

/// The throughput cases of `bench socket`, and the daemon's memory and CPU across them.
struct ThroughputReport {
    struct Row {
        let mode: String
        let clients: Int
        let operationsPerSecond: Double
        let errors: Int
        let latency: LatencySummary
        let daemonCPUPercent: Double?
        let daemonRSSBytes: Int64?
    }

    var rows: [Row] = []
    var startUsage: ProcessUsage?
    var endUsage: ProcessUsage?

    init(startUsage: ProcessUsage?) {
        self.startUsage = startUsage
    }

    mutating func add(mode: String, clients: Int, duration: Double, outcome: ClientFleet.Outcome) {
        let count = outcome.results.reduce(0) { $0 + $1.count }
        let errors = outcome.results.reduce(0) { $0 + $1.errors }
        // Every client measured the same interval from the same instant.
        let elapsed = outcome.results.map(\.elapsedSeconds).max() ?? duration
        let cpu: Double? = {
            guard let before = outcome.daemonBefore, let after = outcome.daemonAfter else { return nil }
            return after.cpuPercent(since: before)
        }()
        rows.append(
            Row(
                mode: mode, clients: clients, operationsPerSecond: Double(count) / max(elapsed, 1e-9), errors: errors,
                latency: LatencySummary(samples: outcome.results.flatMap(\.latenciesNs)),
                daemonCPUPercent: cpu, daemonRSSBytes: outcome.daemonAfter?.residentBytes))
    }

    func rate(mode: String, clients: Int) -> Double {
        rows.first { $0.mode == mode && $0.clients == clients }?.operationsPerSecond ?? 0
    }

    func print() {
        var table = TextTable(header: ["case", "clients", "ops/s", "p50", "p99", "p99.9", "errors", "daemon CPU", "daemon RSS"])
        for row in rows {
            table.append([
                row.mode == "rt" ? "acquire+report" : "report-only", String(row.clients),
                formatCount(Int(row.operationsPerSecond)), formatLatency(row.latency.p50Ns),
                formatLatency(row.latency.p99Ns), formatLatency(row.latency.p999Ns), String(row.errors),
                row.daemonCPUPercent.map { formatDecimal($0, places: 0) + " %" } ?? "-",
                row.daemonRSSBytes.map(formatMiB) ?? "-",
            ])
        }
        printTable(table)
        Swift.print("  ops/s: report-only counts reports, acquire+report counts whole round trips; CPU: % of one core")
        if let startUsage, let endUsage {
            let growth = Double(endUsage.residentBytes - startUsage.residentBytes) / Double(max(startUsage.residentBytes, 1))
            let verdict = endUsage.residentBytes <= 64 * 1_048_576 ? "under 64 MiB" : "over 64 MiB"
            Swift.print(
                "daemon RSS: \(formatMiB(startUsage.residentBytes)) at start, \(formatMiB(endUsage.residentBytes)) at end "
                    + "(\(growth >= 0 ? "+" : "")\(formatDecimal(growth * 100, places: 1)) %, \(verdict)); "
                    + "CPU over the whole run: \(formatDecimal(endUsage.cpuPercent(since: startUsage), places: 0)) % of one core")
        }
    }
}

func formatMiB(_ bytes: Int64) -> String {
    formatDecimal(Double(bytes) / 1_048_576, places: 1) + " MiB"
}

/// Prints the table with a rule of dashes under its header.
func printTable(_ table: TextTable) {
    for (number, line) in table.lines().enumerated() {
        print(line)
        if number == 0 { print(String(repeating: "-", count: line.count)) }
    }
}

/// The machine: cores, architecture, date.
enum MachineDescription {
    static func current() -> String {
        var name = utsname()
        uname(&name)
        let machine = withUnsafeBytes(of: &name.machine) { bytes in
            String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        }
        let formatter = ISO8601DateFormatter()
        return "\(ProcessInfo.processInfo.activeProcessorCount) cores (nproc), \(machine), \(formatter.string(from: Date()))"
    }
}
