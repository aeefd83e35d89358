import ArgumentParser
import TokenGateClient
import TokenGateWire

/// `tokengate status`: what the daemon is doing right now.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the daemon's state, the window's usage, budgets and workers.",
        discussion: """
            Prints a readable summary: the gate's state (running, paused or cooldown), the window and \
            limit, tokens used and reserved, grants in flight and acquires waiting, each configured \
            budget, and every worker seen in the window.

            With --json, prints exactly the contract's Status object as one line of JSON and nothing \
            else on stdout, for scripts.

            Exit codes: 0 success, 1 error, 2 usage error, 3 daemon not reachable.

            Examples:
              tokengate status
              tokengate status --json | jq .used
              tokengate status --socket /run/user/1000/tokengate.sock
            """
    )

    @OptionGroup var socket: SocketOption

    @OptionGroup var config: ConfigOption

    @Flag(name: .long, help: "Print the Status object as JSON (one line) instead of the summary.")
    var json = false

    func run() async throws {
        let socketPath = try socket.resolvedPath(config: config)
        let status = try await DaemonSession.run(socketPath: socketPath) { client in
            try await client.status()
        }
        print(json ? status.encoded().text : StatusSummary.render(status))
    }
}
