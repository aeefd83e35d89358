import TokenGateWire

/// A ``DashboardLink`` to a made-up daemon (a ``SyntheticFleet``): snapshots every `interval`, a 429
/// cooldown now and then, and working pause, resume, limit and worker keys. For trying the dashboard without a
/// daemon, and for tests.
public actor PreviewLink: DashboardLink {
    private var fleet: SyntheticFleet
    private let interval: Duration
    private let outages: Bool
    private let clock = ContinuousClock()
    private let started: ContinuousClock.Instant
    private var paused = false
    /// Commands received, oldest first (for tests).
    public private(set) var received: [DashboardSession.Command] = []

    /// - Parameters:
    ///   - workers: how many synthetic workers.
    ///   - interval: time between snapshots.
    ///   - outages: drop the connection for 6 s every minute, to show the disconnected banner.
    public init(workers: Int = 8, interval: Duration = .milliseconds(250), outages: Bool = false) {
        fleet = SyntheticFleet(workerCount: workers)
        self.interval = interval
        self.outages = outages
        started = clock.now
    }

    public nonisolated func events() -> AsyncStream<DashboardLinkEvent> {
        AsyncStream { continuation in
            let task = Task { await self.produce(into: continuation) }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    public func pause(pool: String?) async throws {
        received.append(.pause(pool: pool))
        if pool == nil || pool == "default" { paused = true }
    }

    public func resume(pool: String?) async throws {
        received.append(.resume(pool: pool))
        if pool == nil || pool == "default" { paused = false }
    }

    public func setLimit(_ limit: Int64, pool: String?) async throws {
        received.append(.setLimit(limit, pool: pool))
        if pool == nil || pool == "default" { fleet.limit = max(1, limit) }
    }

    public func pause(worker: String) async throws {
        received.append(.pauseWorker(worker))
        fleet.pausedWorkers.insert(worker)
    }

    public func resume(worker: String) async throws {
        received.append(.resumeWorker(worker))
        fleet.pausedWorkers.remove(worker)
    }

    public func setCap(_ cap: Double?, worker: String) async throws {
        received.append(.setCap(cap, worker: worker))
        fleet.caps[worker] = cap
    }

    private func produce(into continuation: AsyncStream<DashboardLinkEvent>.Continuation) async {
        var connected = false
        while !Task.isCancelled {
            let elapsed = seconds(since: started)
            if outages, elapsed.truncatingRemainder(dividingBy: 60) >= 54 {
                continuation.yield(.disconnected(reason: "connection refused (preview outage)"))
                connected = false
            } else {
                if !connected {
                    continuation.yield(.connected)
                    connected = true
                }
                continuation.yield(.snapshot(status(elapsed: elapsed)))
            }
            try? await Task.sleep(for: interval)
        }
        continuation.finish()
    }

    /// The made-up daemon's status `elapsed` seconds after the link started.
    private func status(elapsed: Double) -> Status {
        let uptime = elapsed + 3_600
        if paused { return fleet.status(at: uptime, state: .paused) }
        // A 429 from some worker every 45 s, with a 15 s cooldown.
        let phase = elapsed.truncatingRemainder(dividingBy: 45)
        if elapsed > 20, phase < 15 {
            let round = Int(elapsed / 45)
            return fleet.status(
                at: uptime, state: .cooldown, cooldownRemainingMs: Int64((15 - phase) * 1000),
                cooldownWorker: SyntheticFleet.workerName(round % max(1, fleet.workerCount)))
        }
        return fleet.status(at: uptime)
    }

    private func seconds(since instant: ContinuousClock.Instant) -> Double {
        let parts = (clock.now - instant).components
        return Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
    }
}
