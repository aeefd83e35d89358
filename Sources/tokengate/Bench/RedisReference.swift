import Foundation

/// `redis-benchmark -t set` against a private `redis-server` on a Unix socket, as a reference for
/// what one request-reply over a local socket costs on this machine.
enum RedisReference {
    struct Row {
        let clients: Int
        let requestsPerSecond: Double
        let p50Ms: Double?
        let p99Ms: Double?
    }

    /// The full path of `name` on $PATH (and the usual sbin directories), or nil.
    static func which(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":").map(String.init) + ["/usr/sbin", "/usr/local/sbin", "/sbin"] {
            let candidate = directory + "/" + name
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Runs the reference for each client count; nil when redis is not installed.
    static func run(clients: [Int], requests: Int, directory: String) async throws -> [Row]? {
        guard let server = which("redis-server"), let benchmark = which("redis-benchmark") else { return nil }
        let socketPath = directory + "/redis.sock"
        let redis = Process()
        redis.executableURL = URL(fileURLWithPath: server)
        redis.arguments = [
            "--port", "0", "--unixsocket", socketPath, "--unixsocketperm", "700", "--save", "", "--appendonly", "no",
            "--daemonize", "no", "--dir", directory,
        ]
        redis.standardInput = FileHandle(forReadingAtPath: "/dev/null")
        redis.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        redis.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try redis.run()
        defer {
            // SIGKILL, not SIGTERM: a child of this process inherits its blocked signal mask, in
            // which SIGTERM is blocked, so redis-server would never see it. It keeps no state.
            if redis.isRunning {
                kill(redis.processIdentifier, SIGKILL)
                redis.waitUntilExit()
            }
        }
        let ready = ContinuousClock.now + .seconds(10)
        while !FileManager.default.fileExists(atPath: socketPath) {
            guard ContinuousClock.now < ready, redis.isRunning else { throw BenchError("redis-server did not start") }
            try await Task.sleep(for: .milliseconds(20))
        }
        var rows: [Row] = []
        for count in clients {
            let outPath = directory + "/redis-\(count).csv"
            _ = FileManager.default.createFile(atPath: outPath, contents: nil)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: benchmark)
            process.arguments = ["-s", socketPath, "-c", String(count), "-n", String(requests), "-t", "set", "-P", "1", "--csv"]
            process.standardOutput = FileHandle(forWritingAtPath: outPath)
            process.standardInput = FileHandle(forReadingAtPath: "/dev/null")
            process.standardError = FileHandle(forWritingAtPath: "/dev/null")
            try process.run()
            while process.isRunning { try await Task.sleep(for: .milliseconds(20)) }
            let text = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
            rows.append(parse(text, clients: count))
        }
        return rows
    }

    /// Reads `"SET","123.45","0.1",...` (rps, avg, min, p50, p95, p99, max in newer versions).
    static func parse(_ csv: String, clients: Int) -> Row {
        for line in csv.split(separator: "\n") where line.hasPrefix("\"SET") {
            let fields = line.split(separator: ",").map { Double($0.trimmingCharacters(in: CharacterSet(charactersIn: "\" "))) }
            let rps = fields.count > 1 ? fields[1] ?? 0 : 0
            let p50 = fields.count > 4 ? fields[4] : nil
            let p99 = fields.count > 6 ? fields[6] : nil
            return Row(clients: clients, requestsPerSecond: rps, p50Ms: p50, p99Ms: p99)
        }
        return Row(clients: clients, requestsPerSecond: 0, p50Ms: nil, p99Ms: nil)
    }
}
