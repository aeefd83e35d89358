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

            With --worker NAME --cap FRACTION, caps one worker instead: in every pool and budget, \
            its used + reserved stays within FRACTION × limit, and others pass its acquires while it \
            waits at its cap. `--cap none` lifts the cap. A worker's cap survives a daemon restart.

            Examples:
              tokengate limit 900000
              tokengate limit 2000000 --threshold 0.95
              tokengate limit --worker crawler-7 --cap 0.25
              tokengate limit --worker crawler-7 --cap none
            """
    )

    @Argument(help: ArgumentHelp("Tokens per window, 1 to 2^53-1 (not with --worker).", valueName: "tokens"))
    var tokens: Int64?

    @Option(
        name: .customLong("worker"),
        help: ArgumentHelp("Cap this worker instead of changing the limit (with --cap).", valueName: "name"))
    var worker: String?

    @Option(
        name: .customLong("cap"),
        help: ArgumentHelp(
            "With --worker: its share of each limit, greater than 0 and at most 1, or none to lift its cap.",
            valueName: "fraction|none"))
    var cap: String?

    @Option(
        name: .long,
        help: ArgumentHelp("The fraction of the limit grants may fill, in (0, 1].", valueName: "fraction"))
    var threshold: Double?

    @OptionGroup var socket: SocketOption

    @OptionGroup var config: ConfigOption

    @OptionGroup var pool: PoolOption

    func validate() throws {
        if worker != nil || cap != nil {
            try ArgumentChecks.workerName(worker)
            guard worker != nil else { throw ValidationError("--cap goes with --worker NAME") }
            guard cap != nil else {
                throw ValidationError("--worker needs --cap FRACTION (greater than 0, at most 1) or --cap none")
            }
            _ = try parsedCap()
            guard tokens == nil, threshold == nil else {
                throw ValidationError("--worker --cap changes one worker's cap only: drop the limit and --threshold")
            }
            guard pool.pool == nil else { throw ValidationError("a worker's cap applies in every pool: drop --pool") }
            return
        }
        guard let tokens else { throw ValidationError("give the new limit in tokens (or --worker NAME --cap FRACTION)") }
        guard tokens >= 1, tokens <= WireLimits.maxCount else {
            throw ValidationError("the limit must be a whole number from 1 to 2^53-1, got \(tokens)")
        }
        if let threshold, !(threshold > 0 && threshold <= 1) {
            throw ValidationError("--threshold must be greater than 0 and at most 1, got \(threshold)")
        }
    }

    /// `--cap`: a fraction in (0, 1], or nil for `none`.
    private func parsedCap() throws -> Double? {
        guard let cap, cap != "none" else { return nil }
        guard let value = Double(cap), value.isFinite, value > 0, value <= 1 else {
            throw ValidationError("--cap must be a fraction greater than 0 and at most 1, or none, got \"\(cap)\"")
        }
        return value
    }

    func run() async throws {
        let socketPath = try socket.resolvedPath(config: config)
        if let worker {
            let cap = try parsedCap()
            try await DaemonSession.run(socketPath: socketPath) { client in try await client.setCap(cap, worker: worker) }
            return print("worker \(worker): " + (cap.map { "cap \($0) of each limit" } ?? "no cap"))
        }
        let status = try await DaemonSession.run(socketPath: socketPath) { client in
            try await client.setLimit(tokens, threshold: threshold, pool: pool.pool)
            return try await client.status().viewed(asPool: pool.pool)
        }
        print(
            (pool.pool.map { "pool \($0): " } ?? "") + "limit \(StatusSummary.grouped(status.limit)) tokens per \(StatusSummary.formatMilliseconds(status.windowMs)) "
                + "window, threshold \(status.threshold)")
    }
}
