import ArgumentParser
import TokenGateClient

/// `tokengate report`: tell the daemon what a request really cost.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Record what a request really cost.",
        discussion: """
            Records the request's usage in the window: the `tokens` budget counts input + output + \
            cache creation (cache reads are not counted). With --ticket, the usage settles that grant; \
            without one it is recorded as a request made without a grant. The usage is always \
            recorded; when the daemon does not know the ticket (already settled or released), a \
            warning goes to stderr and the exit code is still 0.

            Exit codes: 0 recorded, 1 error, 2 usage error, 3 daemon not reachable.

            Examples:
              tokengate report --input 1200 --output 350
              tokengate report --ticket "$ticket" --input 1200 --output 350 --cache-read 8000
            """
    )

    @Option(name: .long, help: ArgumentHelp("Input tokens consumed.", valueName: "n"))
    var input: Int64

    @Option(name: .long, help: ArgumentHelp("Output tokens produced.", valueName: "n"))
    var output: Int64

    @Option(name: .customLong("cache-creation"), help: ArgumentHelp("Tokens written to the prompt cache.", valueName: "n"))
    var cacheCreation: Int64?

    @Option(name: .customLong("cache-read"), help: ArgumentHelp("Tokens read from the prompt cache.", valueName: "n"))
    var cacheRead: Int64?

    @Option(name: .long, help: ArgumentHelp("The ticket `tokengate acquire` printed.", valueName: "ticket"))
    var ticket: String?

    @Option(name: .long, help: ArgumentHelp("The worker name the daemon shows for this usage.", valueName: "name"))
    var worker: String?

    @Option(name: .long, help: ArgumentHelp("The model the request went to, for accounting.", valueName: "name"))
    var model: String?

    @OptionGroup var socket: SocketOption

    @OptionGroup var config: ConfigOption

    @OptionGroup var pool: PoolOption

    func validate() throws {
        try ArgumentChecks.tokenCount(input, "--input")
        try ArgumentChecks.tokenCount(output, "--output")
        try ArgumentChecks.tokenCount(cacheCreation, "--cache-creation")
        try ArgumentChecks.tokenCount(cacheRead, "--cache-read")
        try ArgumentChecks.workerName(worker)
        if let ticket, ticket.isEmpty { throw ValidationError("--ticket must not be empty") }
    }

    func run() async throws {
        let socketPath = try socket.resolvedPath(config: config)
        let result = try await DaemonSession.run(socketPath: socketPath, worker: worker) { client in
            try await client.report(
                ticket: ticket, input: input, output: output, cacheCreation: cacheCreation, cacheRead: cacheRead,
                model: model, pool: pool.pool)
        }
        if result.unknownTicket, let ticket {
            DaemonSession.printError(
                "warning: the daemon did not know ticket \(ticket) (already settled or released); the usage was recorded without it")
        }
    }
}
