import ArgumentParser
import TokenGateClient

/// `tokengate resume`: grant again after `pause`.
struct ResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Grant again after `tokengate pause`.",
        discussion: """
            Waiting acquires are granted in order as capacity allows. Prints the new state: `running`, \
            or `cooldown` while a provider's 429 cooldown lasts. Only the daemon's own user and root may \
            resume (others get `forbidden`, exit 1).

            Exit codes: 0 success, 1 error (forbidden), 2 usage error, 3 daemon not reachable.

            Example:
              tokengate resume
            """
    )

    @OptionGroup var socket: SocketOption

    @OptionGroup var config: ConfigOption

    @OptionGroup var pool: PoolOption

    func run() async throws {
        let socketPath = try socket.resolvedPath(config: config)
        let state = try await DaemonSession.run(socketPath: socketPath) { client in
            try await client.resume(pool: pool.pool)
        }
        print(state.rawValue)
    }
}
