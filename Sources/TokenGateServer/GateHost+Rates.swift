import NIOCore
import TokenGateCore
import TokenGateWire

extension GateHost {
    /// How often the fill is sampled for `history` when no status is being built.
    static let fillSampleInterval = TimeSpan.seconds(1)

    /// Samples the window's fill once a second from now on, for `history`. Call on the event loop.
    func startFillSampler() {
        fillSampler = eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(Self.fillSampleInterval.nanoseconds)) {
            [self] in
            guard !isShuttingDown else { return }
            let now = clock.now()
            fillHistory.record(used: gate.used(now: now).tokens, reserved: gate.reserved.tokens, at: now)
            startFillSampler()
        }
    }

    /// A grant went out at `now`: counted by the metrics and the rates.
    func countGrant(_ grant: GateGrant, now: Instant) {
        metrics?.granted(waited: grant.waited, pool: pools.pool(of: grant.ticket))
        recentRates.granted(waitedMs: grant.waited.millisecondsRoundedUp, at: now)
    }
}
