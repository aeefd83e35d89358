import ArgumentParser
import TokenGateClient
import TokenGateWire

/// `tokengate acquire`: wait for a grant and print its ticket.
struct AcquireCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "acquire",
        abstract: "Wait until the daemon grants a request, then print the ticket.",
        discussion: """
            Asks the daemon for permission to send one request of about --tokens tokens and waits in \
            line (high before normal before low, first come first served within one) until the window has room. Prints the ticket alone on \
            stdout.

            The daemon releases a connection's unsettled grants when it closes, and this command's \
            connection closes when it exits: the reservation ends there, so the command works as "wait \
            until there is room". Report the real usage afterwards with `tokengate report` (with \
            --ticket, the daemon may answer that the ticket is no longer known; the usage is recorded \
            all the same). Workers that hold grants across a request use a client library instead.

            Exit codes: 0 granted, 1 error, 2 usage error, 3 daemon not reachable, 4 timed out.

            Examples:
              tokengate acquire --tokens 4000 --worker nightly-eval
              tokengate acquire --tokens 2000 --priority high --worker assistant
              ticket=$(tokengate acquire --tokens 4000 --timeout-ms 60000) || exit
            """
    )

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Estimate of the request's total tokens (default: the daemon's recent mean cost).", valueName: "n"))
    var tokens: Int64?

    @Option(name: .long, help: ArgumentHelp("The worker name the daemon shows for this request.", valueName: "name"))
    var worker: String?

    @Option(
        name: .long,
        help: ArgumentHelp("high, normal (default) or low: high goes first, low last.", valueName: "priority"))
    var priority: String?

    @Option(
        name: .customLong("timeout-ms"),
        help: ArgumentHelp("Give up after this many milliseconds (exit 4); default: wait.", valueName: "ms"))
    var timeoutMs: Int64?

    @OptionGroup var socket: SocketOption

    @OptionGroup var config: ConfigOption

    @OptionGroup var pool: PoolOption

    func validate() throws {
        try ArgumentChecks.tokenCount(tokens, "--tokens")
        try ArgumentChecks.tokenCount(timeoutMs, "--timeout-ms")
        try ArgumentChecks.workerName(worker)
        if let priority, PriorityName(rawValue: priority) == nil {
            throw ValidationError("--priority must be high, normal or low, got \"\(priority)\"")
        }
    }

    func run() async throws {
        let socketPath = try socket.resolvedPath(config: config)
        let grant = try await DaemonSession.run(socketPath: socketPath, worker: worker) { client in
            do {
                return try await client.acquire(
                    tokens: tokens, timeoutMs: timeoutMs, pool: pool.pool, priority: priority.flatMap(PriorityName.init(rawValue:)))
            } catch TokenGateClientError.timedOut {
                // Say why: paused, cooling down after a 429, or a full window.
                let status = try? await client.status().viewed(asPool: pool.pool)
                throw TokenGateClientError.timedOut(
                    message: NextStepHints.timedOut(afterMs: timeoutMs ?? 0, status: status))
            }
        }
        print(grant.ticket)
    }
}
