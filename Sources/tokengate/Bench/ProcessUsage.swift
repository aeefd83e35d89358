import Foundation

/// A process's resident memory and CPU time, read from /proc (Linux).
struct ProcessUsage: Sendable {
    /// VmRSS in bytes.
    let residentBytes: Int64
    /// utime + stime in seconds.
    let cpuSeconds: Double
    /// When it was read.
    let at: ContinuousClock.Instant

    /// Reads /proc/<pid>/status and /proc/<pid>/stat; nil when the process is gone or /proc is absent.
    static func read(pid: Int32) -> ProcessUsage? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        else { return nil }
        var rssKiB: Int64 = 0
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            rssKiB = Int64(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? 0
        }
        // The fields after the command name, which sits in parentheses and may contain spaces.
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ", omittingEmptySubsequences: true)
        // fields[0] is the state (field 3); utime and stime are fields 14 and 15.
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        return ProcessUsage(
            residentBytes: rssKiB * 1_024, cpuSeconds: (user + system) / max(ticks, 1), at: .now)
    }

    /// The share of one core used between `earlier` and this reading, in percent.
    func cpuPercent(since earlier: ProcessUsage) -> Double {
        let wall = (at - earlier.at) / .seconds(1)
        guard wall > 0 else { return 0 }
        return (cpuSeconds - earlier.cpuSeconds) / wall * 100
    }
}
