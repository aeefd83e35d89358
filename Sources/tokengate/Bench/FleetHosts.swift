import Foundation

/// The daemons of one `bench fleet` run: one alone, or `count` sharing a private Redis as one
/// organisation (`serve --redis unix://... --org <unique> --host-name host-i`). ``stop()`` ends all.
final class FleetHosts: @unchecked Sendable {
    let daemons: [BenchDaemon]
    private let redis: RedisServerForBench?

    /// Starts `count` daemons with `arguments` (and the cluster's when `count` > 1); whatever started
    /// is stopped again when one fails.
    init(count: Int, arguments: [String]) async throws {
        guard count > 1 else {
            redis = nil
            daemons = [try await BenchDaemon(arguments: arguments)]
            return
        }
        let redis = try await RedisServerForBench()
        let org = "bench-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        do {
            daemons = try await BenchDaemon.startAll((0..<count).map { index in
                arguments + ["--redis", redis.url, "--org", org, "--host-name", "host-\(index)"]
            })
        } catch {
            redis.stop()
            throw error
        }
        self.redis = redis
    }

    /// Ends the daemons (all at once, each may wait for its calls to Redis), then Redis.
    func stop() {
        BenchDaemon.stopAll(daemons)
        redis?.stop()
    }
}
