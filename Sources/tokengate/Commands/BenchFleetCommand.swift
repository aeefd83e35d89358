import ArgumentParser
import Foundation
import TokenGateClient
import TokenGateCore
import TokenGateSimulation

/// `tokengate bench fleet`: a real-time fleet through the real daemon against a fake provider that
/// charges each request a random delay after its grant, as a request crossing a network does.
struct BenchFleetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleet",
        abstract: "Run a real-time fleet through a daemon against a fake provider with a hard limit; count its 429s.",
        discussion: """
            Starts `tokengate serve` on a temporary socket, then --clients connections that each, in a \
            loop, acquire an exact estimate (1,000-4,000 tokens), wait a random 0..--max-delay-ms \
            (the trip to the provider), offer the request to a fake provider on the wall clock (a hard \
            sliding window or a token bucket of --limit per --window), hold it up to 200 ms (a \
            stream) and report it; a refused request is released. Prints the provider's refusals and \
            the share of the limit served over the whole windows after the first.

            Examples:
              tokengate bench fleet
              tokengate bench fleet --duration 60 --provider bucket --algorithm token-bucket
            """
    )

    @Option(help: ArgumentHelp("Client connections.", valueName: "n"))
    var clients: Int = 24

    @Option(help: ArgumentHelp("Limit of the provider and the daemon, tokens per window.", valueName: "tokens"))
    var limit: Int64 = 60_000

    @Option(help: ArgumentHelp("Window length in seconds.", valueName: "seconds"))
    var window: Double = 3

    @Option(help: ArgumentHelp("The daemon's threshold.", valueName: "fraction"))
    var threshold: Double = 1.0

    @Option(name: .customLong("send-margin"), help: ArgumentHelp("The daemon's send margin in seconds.", valueName: "seconds"))
    var sendMargin: Double = 0.1

    @Option(name: .customLong("max-delay-ms"), help: ArgumentHelp("Longest delay from grant to provider.", valueName: "ms"))
    var maxDelayMs: Int = 50

    @Option(help: ArgumentHelp("How long the fleet runs, in seconds (at least 2 windows).", valueName: "seconds"))
    var duration: Double = 12

    @Option(help: ArgumentHelp("The fake provider: window (hard sliding window) or bucket.", valueName: "model"))
    var provider: String = "window"

    @Option(help: ArgumentHelp("The daemon's --algorithm.", valueName: "name"))
    var algorithm: AccountingAlgorithm = .slidingWindow

    func validate() throws {
        guard clients >= 1 else { throw ValidationError("--clients must be at least 1") }
        guard window.isFinite, window > 0 else { throw ValidationError("--window must be a positive number of seconds") }
        guard duration >= 2 * window else { throw ValidationError("--duration must be at least two windows") }
        guard ProviderModel(rawValue: provider) != nil else { throw ValidationError("--provider must be window or bucket") }
        guard maxDelayMs >= 0 else { throw ValidationError("--max-delay-ms must be 0 or more") }
    }

    func run() async throws {
        let model = ProviderModel(rawValue: provider) ?? .window
        let daemon = try await BenchDaemon(arguments: [
            "--limit", "\(limit)", "--window", "\(window)", "--threshold", "\(threshold)",
            "--send-margin", "\(sendMargin)", "--algorithm", algorithm.rawValue,
        ])
        defer { daemon.stop() }
        let fake = WallClockProvider(model: model, limit: limit, window: .seconds(window))
        let end = TimeSpan.seconds(duration)
        let grants = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<clients {
                group.addTask {
                    try await Self.runClient(
                        index: index, socketPath: daemon.socketPath, provider: fake, until: end, maxDelayMs: maxDelayMs
                    )
                }
            }
            return try await group.reduce(0, +)
        }
        let windows = Int64(duration / window)
        let from = TimeSpan.seconds(window)
        let to = TimeSpan.seconds(window * Double(windows))
        let charged = await fake.charged(from: from, to: to)
        let share = Double(charged) / (Double(limit) * Double(windows - 1))
        let refusals = await fake.refusals
        let line = String(
            format: #"{"provider":"%@","algorithm":"%@","clients":%d,"window_s":%g,"threshold":%g,"send_margin_s":%g,"max_delay_ms":%d,"duration_s":%g,"grants":%d,"refusals":%d,"served_share":%.4f}"#,
            model.rawValue, algorithm.rawValue, clients, window, threshold, sendMargin, maxDelayMs, duration, grants,
            refusals, share
        )
        print(line)
    }

    /// One connection's loop; returns its grants.
    private static func runClient(
        index: Int, socketPath: String, provider: WallClockProvider, until end: TimeSpan, maxDelayMs: Int
    ) async throws -> Int {
        let client = TokenGateClient(socketPath: socketPath, worker: "fleet-\(index)")
        try await client.connect()
        var grants = 0
        while provider.elapsed() < end {
            let tokens = Int64.random(in: 1_000...4_000)
            let remainingMs = (end.nanoseconds - provider.elapsed().nanoseconds) / 1_000_000
            guard remainingMs > 0 else { break }
            guard let ticket = try await acquireUnlessTimedOut(client, tokens: tokens, timeoutMs: remainingMs) else { break }
            grants += 1
            try await Task.sleep(for: .milliseconds(Int.random(in: 0...max(0, maxDelayMs))))
            if await provider.offer(tokens) {
                try await Task.sleep(for: .milliseconds(Int.random(in: 0...200)))
                try await client.report(ticket: ticket, input: tokens, output: 0)
            } else {
                try await client.release(ticket: ticket)
            }
        }
        await client.close()
        return grants
    }

    /// An acquire's ticket, or nil when the run ended before its grant. (The ticket, not the
    /// client's `Grant`: Core's `Grant` shares its name in this module.)
    private static func acquireUnlessTimedOut(
        _ client: TokenGateClient, tokens: Int64, timeoutMs: Int64
    ) async throws -> String? {
        do {
            return try await client.acquire(tokens: tokens, timeoutMs: timeoutMs).ticket
        } catch TokenGateClientError.timedOut {
            return nil
        }
    }
}
