import Prometheus
import TokenGateCore
import TokenGateWire

/// The daemon's Prometheus counters and the grant-wait histogram, updated where operations
/// complete. Every method is a few atomic additions, safe from any thread; the gauges are not here:
/// they are sampled from the gate at each scrape (``MetricsExposition``).
///
/// What happens in a pool (grants, reports, releases, timeouts, 429s, reported tokens, waits) is
/// counted with a `pool` label; rejected requests, which may name no pool, are not.
public final class GateMetrics: Sendable {
    /// The counters and the histogram, emitted after the sampled gauges at each scrape.
    public let registry: PrometheusCollectorRegistry

    private let pools: [PoolCounters]
    private let rejected: [WireErrorCode: Counter]

    /// Upper bounds of the grant-wait histogram, in seconds: from an immediate grant to a full
    /// default window and beyond.
    public static let waitBuckets: [Double] = [0.001, 0.005, 0.025, 0.1, 0.25, 1, 2.5, 5, 10, 30, 60, 120, 300]

    /// The error codes counted as rejected requests (a `timeout` is counted on its own).
    public static let rejectionCodes: [WireErrorCode] = WireErrorCode.allCases.filter { $0 != .timeout }

    /// Registers every series at zero, so that dashboards see them before the first event: the
    /// per-pool ones once for each of `pools` (the pool names, `default` first, in pool order).
    public init(pools: [String] = [PoolSet.defaultName], registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        self.pools = pools.map { PoolCounters(pool: $0, registry: registry) }
        var rejected: [WireErrorCode: Counter] = [:]
        for code in Self.rejectionCodes {
            rejected[code] = registry.makeCounter(
                descriptor: .tokengate("rejected_requests", unit: "total", help: "Requests answered with an error, by error code."),
                labels: [("code", code.rawValue)]
            )
        }
        self.rejected = rejected
    }

    /// The counters of pool `index` (an index past the pools counts in `default`).
    private func counters(_ index: Int) -> PoolCounters { pools.indices.contains(index) ? pools[index] : pools[0] }

    /// An acquire in pool `pool` was granted after waiting `waited`.
    public func granted(waited: TimeSpan, pool: Int) {
        let counters = counters(pool)
        counters.grants.increment()
        counters.grantWait.record(max(0, waited.seconds))
    }

    /// A report recorded `usage` in pool `pool`.
    public func reported(_ usage: Usage, pool: Int) {
        let counters = counters(pool)
        counters.reports.increment()
        counters.reportedTokens.add(usage)
    }

    /// A ticket of pool `pool` was released.
    public func released(pool: Int) { counters(pool).releases.increment() }

    /// An acquire in pool `pool` timed out.
    public func timedOut(pool: Int) { counters(pool).timeouts.increment() }

    /// The provider said 429 for pool `pool`.
    public func throttled(pool: Int) { counters(pool).throttles.increment() }

    /// A request was answered with the error `code` (a `timeout` is counted by ``timedOut(pool:)``).
    public func rejected(_ code: WireErrorCode) {
        rejected[code]?.increment()
    }
}

/// One pool's counters, each labelled `pool`.
private struct PoolCounters: Sendable {
    let grants: Counter
    let reports: Counter
    let releases: Counter
    let timeouts: Counter
    let throttles: Counter
    let reportedTokens: ReportedTokenCounters
    let grantWait: ValueHistogram

    init(pool: String, registry: PrometheusCollectorRegistry) {
        let label = [("pool", pool)]
        func counter(_ name: String, _ help: String) -> Counter {
            registry.makeCounter(descriptor: .tokengate(name, unit: "total", help: help), labels: label)
        }
        grants = counter("grants", "Acquires granted, by pool.")
        reports = counter("reports", "Usage reports recorded, by pool.")
        releases = counter("releases", "Tickets released without usage, by pool.")
        timeouts = counter("timeouts", "Acquires answered timeout after their timeout_ms, by pool.")
        throttles = counter("throttles", "Provider 429s reported (throttled, or retry-after in observed headers), by pool.")
        reportedTokens = ReportedTokenCounters(pool: pool, registry: registry)
        grantWait = registry.makeValueHistogram(
            descriptor: .tokengate("grant_wait", unit: "seconds", help: "Time an acquire waited before its grant, by pool."),
            labels: label, buckets: GateMetrics.waitBuckets
        )
    }
}

/// `tokengate_reported_tokens_total{pool,kind}`: the tokens reports recorded, by pool and kind.
private struct ReportedTokenCounters: Sendable {
    let input: Counter
    let output: Counter
    let cacheCreation: Counter
    let cacheRead: Counter

    init(pool: String, registry: PrometheusCollectorRegistry) {
        func counter(_ kind: String) -> Counter {
            registry.makeCounter(
                descriptor: .tokengate("reported_tokens", unit: "total", help: "Tokens recorded by reports, by pool and kind."),
                labels: [("pool", pool), ("kind", kind)]
            )
        }
        input = counter("input")
        output = counter("output")
        cacheCreation = counter("cache_creation")
        cacheRead = counter("cache_read")
    }

    func add(_ usage: Usage) {
        input.increment(by: usage.input)
        output.increment(by: usage.output)
        cacheCreation.increment(by: usage.cacheCreation)
        cacheRead.increment(by: usage.cacheRead)
    }
}
