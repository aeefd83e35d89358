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
            stream) and report it; a refused request is released. Prints one JSON line: the provider's \
            refusals and the share of the limit served over the whole windows after the first \
            (`served_share`).

            With --hosts N (2 or more) it starts a private redis-server (Unix socket, no persistence) \
            and N daemons sharing the limit as one organisation (`serve --redis ... --org <unique> \
            --host-name host-I`); --clients is the total, connection I going to host I mod N, and all \
            of them offer to the one fake provider. --compare-single runs the same workload through \
            one daemon first, so the two lines come one above the other.

            Every line also has: `hosts`, `limit`; `max_window_tokens`, the most tokens the provider \
            accepted within any --window (from its own charge log); `per_host_share`, each host's \
            served tokens over the hosts' mean, and `host_spread`, the largest |share - 1| (hosts \
            have as many connections each, so it is the spread of their per-worker mean); \
            `worker_spread`, the largest relative deviation of one connection's served tokens from \
            the connections' mean; `overtaken`, the share of grants that overtook an earlier arrival: \
            with every acquire's sending and answer read on this process's one monotonic clock, a \
            grant overtook when some acquire was sent more than 2 ms before it and answered (granted, \
            or timed out at the end) more than 2 ms after it.

            Examples:
              tokengate bench fleet
              tokengate bench fleet --duration 60 --provider bucket --algorithm token-bucket
              tokengate bench fleet --hosts 4 --clients 64 --compare-single
            """
    )

    @Option(help: ArgumentHelp("Client connections in all (a multiple of --hosts).", valueName: "n"))
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

    @Option(help: ArgumentHelp("Daemons sharing the limit through a private redis-server (1: one daemon, no Redis).", valueName: "n"))
    var hosts: Int = 1

    @Flag(name: .customLong("compare-single"), help: "First run the same workload through one daemon, then the hosts.")
    var compareSingle = false

    func validate() throws {
        guard clients >= 1 else { throw ValidationError("--clients must be at least 1") }
        guard hosts >= 1 else { throw ValidationError("--hosts must be at least 1") }
        guard clients % hosts == 0 else {
            throw ValidationError("--clients (the total) must be a multiple of --hosts, so that every host has as many")
        }
        guard !compareSingle || hosts > 1 else { throw ValidationError("--compare-single needs --hosts 2 or more") }
        guard window.isFinite, window > 0 else { throw ValidationError("--window must be a positive number of seconds") }
        guard duration >= 2 * window else { throw ValidationError("--duration must be at least two windows") }
        guard ProviderModel(rawValue: provider) != nil else { throw ValidationError("--provider must be window or bucket") }
        guard maxDelayMs >= 0 else { throw ValidationError("--max-delay-ms must be 0 or more") }
    }

    func run() async throws {
        if compareSingle { print(try await runFleet(hosts: 1)) }
        print(try await runFleet(hosts: hosts))
    }

    /// One run with `hosts` daemons; returns its JSON line.
    private func runFleet(hosts: Int) async throws -> String {
        let model = ProviderModel(rawValue: provider) ?? .window
        let fleetHosts = try await FleetHosts(count: hosts, arguments: [
            "--limit", "\(limit)", "--window", "\(window)", "--threshold", "\(threshold)",
            "--send-margin", "\(sendMargin)", "--algorithm", algorithm.rawValue,
        ])
        defer { fleetHosts.stop() }
        let sockets = fleetHosts.daemons.map(\.socketPath)
        let fake = WallClockProvider(model: model, limit: limit, window: .seconds(window))
        let end = TimeSpan.seconds(duration)
        let outcomes = try await withThrowingTaskGroup(of: FleetClientOutcome.self) { group in
            for index in 0..<clients {
                let host = index % hosts
                group.addTask {
                    try await Self.runClient(
                        index: index, host: host, socketPath: sockets[host], provider: fake, until: end,
                        maxDelayMs: maxDelayMs)
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let line = FleetLine(
            model: model, algorithm: algorithm, hosts: hosts, limit: limit, window: window, threshold: threshold,
            sendMargin: sendMargin, maxDelayMs: maxDelayMs, duration: duration)
        return line.text(outcomes: outcomes, charges: await fake.accepted, refusals: await fake.refusals)
    }

    /// One connection's loop, each acquire timed on the provider's clock.
    private static func runClient(
        index: Int, host: Int, socketPath: String, provider: WallClockProvider, until end: TimeSpan, maxDelayMs: Int
    ) async throws -> FleetClientOutcome {
        let client = TokenGateClient(socketPath: socketPath, worker: "fleet-\(index)")
        try await client.connect()
        var outcome = FleetClientOutcome(host: host)
        while provider.elapsed() < end {
            let tokens = Int64.random(in: 1_000...4_000)
            let sent = provider.elapsed()
            let remainingMs = (end.nanoseconds - sent.nanoseconds) / 1_000_000
            guard remainingMs > 0 else { break }
            let ticket = try await acquireUnlessTimedOut(client, tokens: tokens, timeoutMs: remainingMs)
            outcome.acquires.append(.init(sent: sent, answered: provider.elapsed(), granted: ticket != nil))
            guard let ticket else { break }
            outcome.grants += 1
            try await Task.sleep(for: .milliseconds(Int.random(in: 0...max(0, maxDelayMs))))
            if await provider.offer(tokens) {
                outcome.served += tokens
                try await Task.sleep(for: .milliseconds(Int.random(in: 0...200)))
                try await client.report(ticket: ticket, input: tokens, output: 0)
            } else {
                try await client.release(ticket: ticket)
            }
        }
        await client.close()
        return outcome
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
