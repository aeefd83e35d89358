import Logging
import NIOConcurrencyHelpers
import NIOCore
import TokenGateCore
import TokenGateRedis

/// The daemon's side of `serve --redis`: one Redis client carrying this host's calls in the order
/// the host made them, a heartbeat that declares the pools and reads every host's figures, and the
/// reader of this host's grant stream. Everything Redis answers goes back to the gate host on its
/// event loop.
final class SharedLink: Sendable {
    let cluster: ClusterConfiguration
    let admission: SharedAdmission
    private let options: RedisClientOptions
    private let host: NIOLoopBound<GateHost>
    private let pools: [(name: String, settings: SharedPoolSettings)]
    private let calls: AsyncStream<SharedCall>.Continuation
    private let queued: AsyncStream<SharedCall>
    private let tasks = NIOLockedValueBox<[Task<Void, Never>]>([])
    private let logger: Logger

    init(cluster: ClusterConfiguration, pools: PoolSet, host: NIOLoopBound<GateHost>, logger: Logger) {
        self.cluster = cluster
        options = RedisClientOptions(endpoint: cluster.endpoint, libraries: [.sharedAdmission])
        admission = SharedAdmission(client: RedisClient(options: options), organisation: cluster.organisation)
        self.host = host
        self.logger = logger
        self.pools = pools.pools.map { pool in
            let configuration = pool.gate.configuration
            var limits: [String: Int64] = [:]
            for kind in configuration.budgets {
                if let limit = configuration.limit(of: kind) { limits[kind.rawValue] = limit }
            }
            return (
                pool.name,
                SharedPoolSettings(
                    windowMilliseconds: configuration.window.milliseconds,
                    sendMarginMilliseconds: configuration.sendMargin.milliseconds, threshold: configuration.threshold,
                    limits: limits
                )
            )
        }
        (queued, calls) = AsyncStream.makeStream(of: SharedCall.self)
    }

    /// Connects, and starts the call queue, the heartbeat and the grant stream's reader.
    func start() {
        admission.client.start()
        let runner = Task { [self] in
            for await call in queued {
                let result: Result<SharedAnswer, any Error>
                do {
                    result = .success(try await admission.perform(call, host: cluster.hostName))
                } catch {
                    result = .failure(error)
                }
                onHost { $0.sharedAnswered(call, result) }
            }
        }
        let heartbeat = Task { [self] in await beat() }
        let reader = RedisStreamReader(options: options, stream: admission.grantStream(of: cluster.hostName), block: .seconds(1))
        let grants = Task { [self] in
            await reader.run(after: "0") { entries in
                let granted = entries.compactMap { entry in entry["id"].map { (pool: entry["pool"] ?? "", id: $0) } }
                onHost { $0.sharedGrantsArrived(granted) }
            }
        }
        tasks.withLockedValue { $0 = [runner, heartbeat, grants] }
    }

    /// Queues a call; calls reach Redis one after another in the order they were sent.
    func send(_ call: SharedCall) {
        calls.yield(call)
    }

    /// Waits up to `grace` for the queued calls to reach Redis, leaves the organisation (this
    /// host's waiters are dropped from the shared queues) and closes the connections.
    func stop(grace: Duration = .seconds(2)) async {
        calls.finish()
        let running = tasks.withLockedValue { $0 }
        if let runner = running.first {
            let drained = Task {
                await runner.value
                return true
            }
            let timer = Task {
                try? await Task.sleep(for: grace)
                runner.cancel()
            }
            _ = await drained.value
            timer.cancel()
        }
        for task in running.dropFirst() { task.cancel() }
        do {
            try await admission.leave(host: cluster.hostName)
        } catch {
            logger.notice("could not leave the organisation in Redis", metadata: ["reason": "\(error)"])
        }
        for task in running { await task.value }
        await admission.client.close()
    }

    /// How long Redis grants nothing after it restarted empty: the learning period, at most the
    /// longest window + send margin.
    private var learning: Duration {
        let span = pools.map { $0.settings.windowMilliseconds + $0.settings.sendMarginMilliseconds }.max() ?? 0
        return min(cluster.learningPeriod, .milliseconds(span))
    }

    /// Every `heartbeatInterval`: the first time, drops what a previous life of this host left in
    /// Redis; declares the pools (again after Redis restarted empty: a new epoch), marks this host
    /// alive and reads every host's figures.
    private func beat() async {
        var first = true
        var epoch = ""
        var restarted = false
        while !Task.isCancelled {
            let workers = (try? await host.eventLoop.submit { [host] in host.value.connectedWorkerCount }.get()) ?? 0
            do {
                if first {
                    try await admission.leave(host: cluster.hostName)
                    first = false
                }
                for pool in pools {
                    let declared = try await admission.declare(pool: pool.name, pool.settings, knownEpoch: epoch, learning: learning)
                    if !epoch.isEmpty, declared.epoch != epoch { restarted = true }
                    epoch = declared.epoch
                }
                let hosts = try await admission.heartbeat(host: cluster.hostName, workers: workers, timeout: cluster.heartbeatTimeout)
                var windows: [String: SharedPoolLoad] = [:]
                for pool in pools { windows[pool.name] = try await admission.load(pool: pool.name) }
                let reseeds = restarted
                restarted = false
                onHost { [windows] in $0.clusterHeard(hosts, windows: windows, redisRestarted: reseeds) }
            } catch {
                onHost { $0.clusterLost(error) }
            }
            try? await Task.sleep(for: cluster.heartbeatInterval)
        }
    }

    private func onHost(_ body: @escaping @Sendable (GateHost) -> Void) {
        let host = self.host
        host.eventLoop.execute { body(host.value) }
    }
}
