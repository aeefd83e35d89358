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

            With --worker NAME, lifts that worker's own pause (`tokengate pause --worker NAME`): its \
            acquires go again in their place.

            Exit codes: 0 success, 1 error (forbidden), 2 usage error, 3 daemon not reachable.

            Examples:
              tokengate resume
              tokengate resume --worker crawler-7
            """
    )

    @OptionGroup var socket: SocketOption

    @OptionGroup var config: ConfigOption

    @OptionGroup var pool: PoolOption

    @OptionGroup var worker: WorkerControlOption

    func validate() throws {
        try worker.check(pool: pool.pool)
    }

    func run() async throws {
        if let name = worker.worker {
            let socketPath = try socket.resolvedPath(config: config)
            _ = try await DaemonSession.run(socketPath: socketPath) { client in try await client.resume(worker: name) }
            return print("worker \(name): resumed")
        }
        let socketPath = try socket.resolvedPath(config: config)
        let state = try await DaemonSession.run(socketPath: socketPath) { client in
            try await client.resume(pool: pool.pool)
        }
        print(state.rawValue)
    }
}
