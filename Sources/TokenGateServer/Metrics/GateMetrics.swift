import Prometheus
import TokenGateCore
import TokenGateWire

/// The daemon's Prometheus counters and the grant-wait histogram, updated where operations
/// complete. Every method is a few atomic additions, safe from any thread; the gauges are not here:
/// they are sampled from the gate at each scrape (``MetricsExposition``).
public final class GateMetrics: Sendable {
    /// The counters and the histogram, emitted after the sampled gauges at each scrape.
    public let registry: PrometheusCollectorRegistry

    private let grants: Counter
    private let reports: Counter
    private let releases: Counter
    private let timeouts: Counter
    private let throttles: Counter
    private let rejected: [WireErrorCode: Counter]
    private let reportedTokens: ReportedTokenCounters
    private let grantWait: ValueHistogram

    /// Upper bounds of the grant-wait histogram, in seconds: from an immediate grant to a full
    /// default window and beyond.
    public static let waitBuckets: [Double] = [0.001, 0.005, 0.025, 0.1, 0.25, 1, 2.5, 5, 10, 30, 60, 120, 300]

    /// The error codes counted as rejected requests (a `timeout` is counted on its own).
    public static let rejectionCodes: [WireErrorCode] = WireErrorCode.allCases.filter { $0 != .timeout }

    /// Registers every series at zero, so that dashboards see them before the first event.
    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        grants = registry.makeCounter(descriptor: .tokengate("grants", unit: "total", help: "Acquires granted."))
        reports = registry.makeCounter(descriptor: .tokengate("reports", unit: "total", help: "Usage reports recorded."))
        releases = registry.makeCounter(descriptor: .tokengate("releases", unit: "total", help: "Tickets released without usage."))
        timeouts = registry.makeCounter(
            descriptor: .tokengate("timeouts", unit: "total", help: "Acquires answered timeout after their timeout_ms.")
        )
        throttles = registry.makeCounter(
            descriptor: .tokengate(
                "throttles", unit: "total", help: "Provider 429s reported (throttled, or retry-after in observed headers)."
            )
        )
        var rejected: [WireErrorCode: Counter] = [:]
        for code in Self.rejectionCodes {
            rejected[code] = registry.makeCounter(
                descriptor: .tokengate("rejected_requests", unit: "total", help: "Requests answered with an error, by error code."),
                labels: [("code", code.rawValue)]
            )
        }
        self.rejected = rejected
        reportedTokens = ReportedTokenCounters(registry: registry)
        grantWait = registry.makeValueHistogram(
            descriptor: .tokengate("grant_wait", unit: "seconds", help: "Time an acquire waited before its grant."),
            buckets: Self.waitBuckets
        )
    }

    /// An acquire was granted after waiting `waited`.
    public func granted(waited: TimeSpan) {
        grants.increment()
        grantWait.record(max(0, waited.seconds))
    }

    /// A report recorded `usage`.
    public func reported(_ usage: Usage) {
        reports.increment()
        reportedTokens.add(usage)
    }

    /// A ticket was released.
    public func released() { releases.increment() }

    /// An acquire timed out.
    public func timedOut() { timeouts.increment() }

    /// The provider said 429.
    public func throttled() { throttles.increment() }

    /// A request was answered with the error `code` (`timeout` goes to ``timedOut()``).
    public func rejected(_ code: WireErrorCode) {
        if code == .timeout { return timedOut() }
        rejected[code]?.increment()
    }
}

/// `tokengate_reported_tokens_total{kind}`: the tokens reports recorded, by kind.
private struct ReportedTokenCounters: Sendable {
    let input: Counter
    let output: Counter
    let cacheCreation: Counter
    let cacheRead: Counter

    init(registry: PrometheusCollectorRegistry) {
        func counter(_ kind: String) -> Counter {
            registry.makeCounter(
                descriptor: .tokengate("reported_tokens", unit: "total", help: "Tokens recorded by reports, by kind."),
                labels: [("kind", kind)]
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
