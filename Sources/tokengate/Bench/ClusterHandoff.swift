import Foundation
import TokenGateClient
import TokenGateCore

/// The cross-host handoff of `bench cluster`: on daemons sharing a limit of ``limit`` tokens, a
/// worker on host `i` holds a ticket of the whole limit and a worker on host `j` queues an acquire
/// of it; once Redis holds the waiter in its queue, the holder reports (nothing used) and the time
/// runs from just before that report is sent to the waiter's grant reply. The pairs rotate over
/// every ordered pair of distinct hosts; with one daemon both workers are on it (a same-host
/// reference, still decided in Redis).
struct ClusterHandoff {
    /// The limit the handoff daemons share; every acquire asks for all of it.
    static let limit: Int64 = 1_000

    let daemons: [BenchDaemon]
    let redis: RedisServerForBench
    let org: String

    /// The serve arguments of a handoff daemon.
    static func serveArguments(redisURL: String, org: String, hostName: String) -> [String] {
        [
            "--limit", String(limit), "--threshold", "1.0", "--redis", redisURL, "--org", org,
            "--host-name", hostName,
        ]
    }

    /// Host `i` (the holder) and host `j` (the waiter) of handoff number `k`.
    static func pair(_ k: Int, hosts: Int) -> (holder: Int, waiter: Int) {
        guard hosts > 1 else { return (0, 0) }
        let holder = k % hosts
        let offset = 1 + (k / hosts) % (hosts - 1)
        return (holder, (holder + offset) % hosts)
    }

    /// Runs `count` handoffs and summarises their latencies.
    func measure(count: Int) async throws -> LatencySummary {
        var clients: [(holder: TokenGateClient, waiter: TokenGateClient)] = []
        for (index, daemon) in daemons.enumerated() {
            func connect(_ role: String) -> TokenGateClient {
                TokenGateClient(socketPath: daemon.socketPath, worker: "bench-\(role)-\(index)", options: .init(reconnects: false))
            }
            clients.append((connect("holder"), connect("waiter")))
        }
        do {
            for pair in clients {
                try await pair.holder.connect()
                try await pair.waiter.connect()
            }
            var samples: [Int64] = []
            samples.reserveCapacity(count)
            for k in 0..<count {
                let (i, j) = Self.pair(k, hosts: daemons.count)
                samples.append(try await handoff(from: clients[i].holder, to: clients[j].waiter))
            }
            await close(clients)
            return LatencySummary(samples: samples)
        } catch {
            await close(clients)
            throw error
        }
    }

    private func close(_ clients: [(holder: TokenGateClient, waiter: TokenGateClient)]) async {
        for pair in clients {
            await pair.holder.close()
            await pair.waiter.close()
        }
    }

    private func handoff(from holder: TokenGateClient, to waiter: TokenGateClient) async throws -> Int64 {
        let held = try await holder.acquire(tokens: Self.limit, timeout: .seconds(10))
        let pending = Task { () throws -> (Grant, ContinuousClock.Instant) in
            let grant = try await waiter.acquire(tokens: Self.limit, timeout: .seconds(10))
            return (grant, ContinuousClock.now)
        }
        do {
            try await waitUntilQueued()
        } catch {
            pending.cancel()
            throw error
        }
        let sent = ContinuousClock.now
        _ = try await holder.report(held, input: 0, output: 0)
        let (granted, at) = try await pending.value
        _ = try await waiter.report(granted, input: 0, output: 0)
        let components = (at - sent).components
        return components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
    }

    /// Waits until Redis holds one waiter in the organisation's queue of the default pool.
    private func waitUntilQueued() async throws {
        let key = "{tg:\(org)}:\(PoolSet.defaultName):queue"
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if try await redis.send(["ZCARD", key]).int64 == 1 { return }
            try await Task.sleep(for: .microseconds(200))
        }
        throw BenchError("the waiter did not reach Redis's queue (\(key)) within 10 s")
    }
}
