import ArgumentParser
import TokenGateClient

/// `tokengate pause`: stop new grants for the whole fleet.
struct PauseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pause",
        abstract: "Stop granting: workers wait until `tokengate resume`.",
        discussion: """
            While paused, the daemon grants nothing; acquires queue up and keep their place, and \
            requests already granted finish and report as usual. Only the daemon's own user and root \
            may pause (others get `forbidden`, exit 1). Prints the new state.

            Exit codes: 0 success, 1 error (forbidden), 2 usage error, 3 daemon not reachable.

            Examples:
              tokengate pause
              tokengate pause && run-migration && tokengate resume
            """
    )

    @OptionGroup var socket: SocketOption

    @OptionGroup var config: ConfigOption

    @OptionGroup var pool: PoolOption

    func run() async throws {
        let socketPath = try socket.resolvedPath(config: config)
        let state = try await DaemonSession.run(socketPath: socketPath) { client in
            try await client.pause(pool: pool.pool)
        }
        print(state.rawValue)
    }
}
