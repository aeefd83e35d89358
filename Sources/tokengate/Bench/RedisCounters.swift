/// What `INFO stats cpu commandstats` says Redis has done since it started.
struct RedisCounters: Sendable {
    /// `total_commands_processed`: every command, those a function runs inside Redis included.
    let commandsProcessed: Int64
    /// The requests a daemon sends (`FCALL`, `XREAD`, `FUNCTION ...`, `SELECT`), from `cmdstat_*`:
    /// what crosses the socket, not what a function does inside Redis.
    let daemonCalls: Int64
    /// `used_cpu_sys` + `used_cpu_user`, in seconds.
    let cpuSeconds: Double

    /// Reads the `key:value` lines; nil when a field is missing.
    init?(info: String) {
        var fields: [Substring: Substring] = [:]
        var calls: Int64 = 0
        for line in info.split(whereSeparator: \.isNewline) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon]
            let value = line[line.index(after: colon)...]
            fields[name] = value
            if Self.isDaemonCall(name), let count = value.split(separator: ",").first?.split(separator: "=").last {
                calls += Int64(count) ?? 0
            }
        }
        daemonCalls = calls
        guard let commands = fields["total_commands_processed"].flatMap({ Int64($0) }),
            let system = fields["used_cpu_sys"].flatMap({ Double($0) }),
            let user = fields["used_cpu_user"].flatMap({ Double($0) })
        else { return nil }
        commandsProcessed = commands
        cpuSeconds = system + user
    }

    private static func isDaemonCall(_ name: Substring) -> Bool {
        ["cmdstat_fcall", "cmdstat_fcall_ro", "cmdstat_xread", "cmdstat_select"].contains(name)
            || name.hasPrefix("cmdstat_function|")
    }
}
