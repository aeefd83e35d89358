import ArgumentParser
import TokenGateClient
import TokenGateDashboard
import TokenGateWire

/// `tokengate top`: the live dashboard, attached to a running daemon.
struct TopCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "top",
        abstract: "Watch a running daemon live, and pause, resume or re-limit it.",
        discussion: """
            Attaches to the daemon through `subscribe` and redraws on every snapshot, key and \
            resize. Keys: p pause/resume, + / - propose the limit 10 % up or down (Enter applies, Esc cancels), s sort workers, arrows or j/k select, \
            ? help, q or Ctrl-C quit. When the daemon goes away the dashboard says so and \
            reconnects by itself.

            Examples:
              tokengate top
              tokengate top --socket /tmp/tg.sock --interval 500
            """
    )

    @OptionGroup var socketOption: SocketOption

    @OptionGroup var config: ConfigOption

    @Option(help: ArgumentHelp("Milliseconds between snapshots (at least 50).", valueName: "ms"))
    var interval: Int64 = WireLimits.defaultSubscribeIntervalMs

    @OptionGroup var look: DashboardFlags

    func validate() throws {
        guard interval >= WireLimits.minSubscribeIntervalMs else {
            throw ValidationError("--interval must be at least \(WireLimits.minSubscribeIntervalMs) ms")
        }
    }

    func run() async throws {
        let path = try socketOption.resolvedPath(config: config)
        let client = TokenGateClient(socketPath: path, worker: "top")
        let code: Int32
        do {
            code = try await runDashboard(
                link: ClientDashboardLink(client: client, intervalMs: interval), socketLabel: path, options: look.options
            )
        } catch let error as DashboardError {
            await client.close()
            throw failure(error.description)
        }
        await client.close()
        if code != 0 { throw ExitCode(code) }
    }
}
