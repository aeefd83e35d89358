import ArgumentParser
import Foundation
import TokenGateClient

/// `tokengate bench socket-client` (hidden): one worker process of `bench socket`. It connects with
/// ``TokenGateClient``, waits for the common start instant, runs one operation at a time for
/// `--duration` seconds and prints a ``BenchClientResult`` as one JSON line.
struct BenchSocketClientCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "socket-client",
        abstract: "One client process of `bench socket` (internal).",
        shouldDisplay: false
    )

    enum Mode: String, ExpressibleByArgument, Sendable {
        case rt, report
    }

    @Option(help: "The daemon's socket.")
    var socket: String

    @Option(help: "rt: acquire, then report the grant; report: ticketless reports only.")
    var mode: Mode

    @Option(help: "Seconds to measure.")
    var duration: Double = 10

    @Option(help: "The worker name.")
    var worker: String = "bench"

    @Option(name: .customLong("start-at"), help: "Start measuring at this Unix time (seconds); default: at once.")
    var startAt: Double?

    func run() async throws {
        let client = TokenGateClient(socketPath: socket, worker: worker, options: .init(reconnects: false))
        do {
            try await client.connect()
        } catch {
            throw failure("\(error)", code: .unreachable)
        }
        if let startAt {
            let delay = startAt - Date().timeIntervalSince1970
            if delay > 0 { try await Task.sleep(for: .seconds(delay)) }
        }
        var latencies: [Int64] = []
        latencies.reserveCapacity(1 << 16)
        var errors = 0
        let clock = ContinuousClock()
        let start = clock.now
        let end = start + .seconds(duration)
        var now = start
        while now < end {
            let before = now
            do {
                switch mode {
                case .rt:
                    let grant = try await client.acquire(tokens: 100)
                    try await client.report(grant, input: 60, output: 40)
                case .report:
                    try await client.report(ticket: nil, input: 60, output: 40)
                }
                now = clock.now
                let elapsed = (now - before).components
                latencies.append(elapsed.seconds * 1_000_000_000 + elapsed.attoseconds / 1_000_000_000)
            } catch {
                errors += 1
                now = clock.now
                if errors > 1_000 { break }
            }
        }
        let elapsed = (clock.now - start) / .seconds(1)
        await client.close()
        let result = BenchClientResult(
            mode: mode.rawValue, count: latencies.count, errors: errors, elapsedSeconds: elapsed, latenciesNs: latencies)
        var line = try JSONEncoder().encode(result)
        line.append(UInt8(ascii: "\n"))
        FileHandle.standardOutput.write(line)
    }
}
