import ArgumentParser
import Foundation
import TokenGateClient

/// `tokengate bench socket-client` (hidden): one worker process of `bench socket`. It connects (a
/// lean blocking socket by default, or ``TokenGateClient``), waits for the common start instant,
/// runs one operation at a time for `--duration` seconds and prints a ``BenchClientResult`` as one
/// JSON line.
struct BenchSocketClientCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "socket-client",
        abstract: "One client process of `bench socket` (internal).",
        shouldDisplay: false
    )

    enum Mode: String, ExpressibleByArgument, Sendable {
        case rt, report
        /// `rt`, timing the acquire alone (its reply is the grant); the report follows untimed.
        case acquire
    }

    enum Driver: String, ExpressibleByArgument, Sendable {
        case raw, client
    }

    @Option(help: "The daemon's socket.")
    var socket: String

    @Option(help: "rt: acquire, then report the grant; acquire: the same, timing the acquire alone; report: ticketless reports only.")
    var mode: Mode

    @Option(help: "raw: a blocking socket and pre-encoded lines; client: TokenGateClient.")
    var driver: Driver = .raw

    @Option(help: "Seconds to measure.")
    var duration: Double = 10

    @Option(help: "The worker name.")
    var worker: String = "bench"

    @Option(name: .customLong("start-at"), help: "Start measuring at this Unix time (seconds); default: at once.")
    var startAt: Double?

    func run() async throws {
        let result: BenchClientResult
        switch driver {
        case .raw: result = try runRaw()
        case .client: result = try await runClient()
        }
        var line = try JSONEncoder().encode(result)
        line.append(UInt8(ascii: "\n"))
        FileHandle.standardOutput.write(line)
    }

    private func waitForStart() {
        guard let startAt else { return }
        let delay = startAt - Date().timeIntervalSince1970
        if delay > 0 { usleep(useconds_t(delay * 1_000_000)) }
    }

    private func runRaw() throws -> BenchClientResult {
        let lines = try BenchLines(worker: worker)
        let okField = Array("\"ok\":true".utf8)
        let socket: RawLineSocket
        let helloReply: String?
        do {
            socket = try RawLineSocket(path: self.socket)
            try socket.send(lines.hello)
            helloReply = try socket.receive { $0.contains(okField) ? nil : String(decoding: $0, as: UTF8.self) }
        } catch {
            throw failure("\(error)", code: .unreachable)
        }
        if let helloReply { throw failure("the daemon refused hello: \(helloReply)") }
        waitForStart()
        let acquire = lines.acquire
        let reportHead = lines.reportHead
        let reportTail = lines.reportTail
        let ticketless = lines.ticketless
        let ticketKey = Array("\"ticket\":\"".utf8)
        var report = reportHead
        var latencies: [Int64] = []
        latencies.reserveCapacity(1 << 16)
        var errors = 0
        let start = monotonicNanoseconds()
        let end = start + Int64(duration * 1e9)
        var now = start
        while now < end {
            let before = now
            var granted = before
            do {
                let succeeded: Bool
                switch mode {
                case .rt, .acquire:
                    try socket.send(acquire)
                    let ticketArrived = try socket.receive { line -> Bool in
                        guard let ticket = line.stringValue(after: ticketKey) else { return false }
                        report.removeSubrange(reportHead.count...)
                        report.append(contentsOf: ticket)
                        report.append(contentsOf: reportTail)
                        return true
                    }
                    granted = monotonicNanoseconds()
                    if ticketArrived {
                        try socket.send(report)
                        succeeded = try socket.receive { $0.contains(okField) }
                    } else {
                        succeeded = false
                    }
                case .report:
                    try socket.send(ticketless)
                    succeeded = try socket.receive { $0.contains(okField) }
                }
                now = monotonicNanoseconds()
                if succeeded { latencies.append((mode == .acquire ? granted : now) - before) } else { errors += 1 }
            } catch {
                errors += 1
                now = monotonicNanoseconds()
                break
            }
            if errors > 1_000 { break }
        }
        return BenchClientResult(
            mode: mode.rawValue, count: latencies.count, errors: errors,
            elapsedSeconds: Double(monotonicNanoseconds() - start) / 1e9, latenciesNs: latencies)
    }

    private func runClient() async throws -> BenchClientResult {
        let client = TokenGateClient(socketPath: socket, worker: worker, options: .init(reconnects: false))
        do {
            try await client.connect()
        } catch {
            throw failure("\(error)", code: .unreachable)
        }
        waitForStart()
        let (latencies, errors, elapsed) = await withTaskExecutorPreference(client.taskExecutor) {
            var latencies: [Int64] = []
            latencies.reserveCapacity(1 << 16)
            var errors = 0
            let start = monotonicNanoseconds()
            let end = start + Int64(duration * 1e9)
            var now = start
            while now < end {
                let before = now
                do {
                    var granted = before
                    switch mode {
                    case .rt, .acquire:
                        let grant = try await client.acquire(tokens: 100)
                        granted = monotonicNanoseconds()
                        try await client.report(grant, input: 60, output: 40)
                    case .report:
                        try await client.report(ticket: nil, input: 60, output: 40)
                    }
                    now = monotonicNanoseconds()
                    latencies.append((mode == .acquire ? granted : now) - before)
                } catch {
                    errors += 1
                    now = monotonicNanoseconds()
                    if errors > 1_000 { break }
                }
            }
            return (latencies, errors, Double(monotonicNanoseconds() - start) / 1e9)
        }
        await client.close()
        return BenchClientResult(
            mode: mode.rawValue, count: latencies.count, errors: errors, elapsedSeconds: elapsed, latenciesNs: latencies)
    }
}

/// CLOCK_MONOTONIC in nanoseconds.
func monotonicNanoseconds() -> Int64 {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
}
