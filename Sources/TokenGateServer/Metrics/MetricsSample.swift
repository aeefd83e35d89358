import TokenGateCore

/// What a scrape reads from the gate host, taken on the gate's event loop in one go.
struct MetricsSample: Sendable {
    /// Each pool's name and state, `default` first.
    var pools: [(name: String, snapshot: GateSnapshot)]
    var uptime: TimeSpan
    /// Open client connections.
    var connections: Int
    /// The daemon's version.
    var version: String
    /// Whether the journal writes; nil when the daemon runs without one.
    var journalOK: Bool?
    /// The gateway's totals; nil without `--gateway`.
    var gateway: GatewayMetricsFigures? = nil
}

extension GateHost {
    /// The gate's state for a scrape, as of now.
    func metricsSample() -> MetricsSample {
        let now = clock.now()
        return MetricsSample(
            pools: pools.pools.indices.map { (pools.names[$0], pools[pool: $0].snapshot(now: now)) }, uptime: now - startedAt, connections: sessions.count,
            version: configuration.version, journalOK: configuration.journal.map { $0.degradedReason == nil },
            gateway: gatewayStatusSource?.gatewayMetrics()
        )
    }
}
