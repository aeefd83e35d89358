import ArgumentParser
import TokenGateClient

/// What `pause` and `resume` act on: the daemon (its socket and config file), every pool or one,
/// or one worker in every pool.
struct DispatchSwitchOptions: ParsableArguments {
    @OptionGroup var socket: SocketOption

    @OptionGroup var config: ConfigOption

    @OptionGroup var pool: PoolOption

    @OptionGroup var worker: WorkerControlOption

    func validate() throws {
        try worker.check(pool: pool.pool)
    }

    /// Pauses (`pausing`) or resumes what the options name, and prints the outcome: the new state,
    /// or the worker's.
    func switchDispatch(pausing: Bool) async throws {
        let socketPath = try socket.resolvedPath(config: config)
        if let name = worker.worker {
            _ = try await DaemonSession.run(socketPath: socketPath) { client in
                if pausing { try await client.pause(worker: name) } else { try await client.resume(worker: name) }
            }
            return print("worker \(name): \(pausing ? "paused" : "resumed")")
        }
        let pool = pool.pool
        let state = try await DaemonSession.run(socketPath: socketPath) { client in
            pausing ? try await client.pause(pool: pool) : try await client.resume(pool: pool)
        }
        print(state.rawValue)
    }
}
