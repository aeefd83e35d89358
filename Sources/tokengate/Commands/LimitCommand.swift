import ArgumentParser
import TokenGateClient
import TokenGateWire

/// `tokengate limit`: change the tokens-per-window limit of a running daemon.
struct LimitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "limit",
        abstract: "Change the daemon's token limit per window (and its threshold).",
        discussion: """
            Sets the `tokens` budget's limit per window, and the threshold when given: grants go while \
            used + reserved + estimate stays within threshold × limit. Waiting acquires are \
            re-evaluated at once, so raising the limit lets them in immediately. The change lasts until \
            the daemon restarts (`serve --limit` sets the starting value). Only the daemon's own user \
            and root may change it (others get `forbidden`, exit 1). Prints the limit in effect.

            Exit codes: 0 success, 1 error, 2 usage error, 3 daemon not reachable.

            Examples:
              tokengate limit 900000
              tokengate limit 2000000 --threshold 0.95
            """
    )

    @Argument(help: ArgumentHelp("Tokens per window, 1 to 2^53-1.", valueName: "tokens"))
    var tokens: Int64

    @Option(
        name: .long,
        help: ArgumentHelp("The fraction of the limit grants may fill, in (0, 1].", valueName: "fraction"))
    var threshold: Double?

    @OptionGroup var socket: SocketOption

    @OptionGroup var config: ConfigOption

    @OptionGroup var pool: PoolOption

    func validate() throws {
        guard tokens >= 1, tokens <= WireLimits.maxCount else {
            throw ValidationError("the limit must be a whole number from 1 to 2^53-1, got \(tokens)")
        }
        if let threshold, !(threshold > 0 && threshold <= 1) {
            throw ValidationError("--threshold must be greater than 0 and at most 1, got \(threshold)")
        }
    }

    func run() async throws {
        let socketPath = try socket.resolvedPath(config: config)
        let status = try await DaemonSession.run(socketPath: socketPath) { client in
            try await client.setLimit(tokens, threshold: threshold, pool: pool.pool)
            return try await client.status().viewed(asPool: pool.pool)
        }
        print(
            (pool.pool.map { "pool \($0): " } ?? "") + "limit \(StatusSummary.grouped(status.limit)) tokens per \(StatusSummary.formatMilliseconds(status.windowMs)) "
                + "window, threshold \(status.threshold)")
    }
}
