import Prometheus
import TokenGateCore

/// Renders a scrape: the gauges sampled from the gate (in a registry made for this scrape, so a
/// worker that leaves the top list leaves no stale series), then the daemon's counters. Every
/// series of one pool (state, queue, budgets, workers) carries its `pool` label; those of the
/// whole daemon (build, window, connections, uptime, journal, gateway) carry none.
enum MetricsExposition {
    /// Workers shown by name in `tokengate_worker_used_tokens`; the rest are summed as ``otherWorkers``.
    static let topWorkers = 10
    /// The label value of the workers outside the top list. Parentheses are not allowed in worker
    /// names, so it never collides with a real one.
    static let otherWorkers = "(other)"

    /// The Prometheus text exposition of `sample` followed by `metrics`.
    static func render(_ sample: MetricsSample, metrics: GateMetrics) -> [UInt8] {
        let registry = PrometheusCollectorRegistry()
        addDaemon(sample, to: registry)
        for pool in sample.pools {
            let label = ("pool", pool.name)
            addPool(pool.snapshot, label: label, to: registry)
            addBudgets(pool.snapshot.budgets, label: label, to: registry)
            addWorkers(pool.snapshot.workers, label: label, to: registry)
        }
        if let gateway = sample.gateway { addGateway(gateway, to: registry) }
        var buffer: [UInt8] = []
        buffer.reserveCapacity(8 * 1024)
        registry.emit(into: &buffer)
        metrics.registry.emit(into: &buffer)
        return buffer
    }

    private static func gauge(
        _ registry: PrometheusCollectorRegistry, _ name: String, unit: String = "", labels: [(String, String)] = [],
        help: String, value: Double
    ) {
        registry.makeGauge(descriptor: .tokengate(name, unit: unit, help: help), labels: labels).set(to: value)
    }

    private static func addDaemon(_ sample: MetricsSample, to registry: PrometheusCollectorRegistry) {
        gauge(registry, "build_info", labels: [("version", sample.version)], help: "Always 1; the daemon's version.", value: 1)
        if let window = sample.pools.first?.snapshot.window {
            gauge(registry, "window", unit: "seconds", help: "Length of the sliding window.", value: window.seconds)
        }
        gauge(registry, "connections", help: "Open client connections.", value: Double(sample.connections))
        gauge(registry, "uptime", unit: "seconds", help: "Time since the daemon started.", value: sample.uptime.seconds)
        if let journalOK = sample.journalOK {
            gauge(registry, "journal_ok", help: "1 while the usage journal writes, 0 while degraded.", value: journalOK ? 1 : 0)
        }
    }

    private static func addPool(_ snapshot: GateSnapshot, label: (String, String), to registry: PrometheusCollectorRegistry) {
        for state in [GateState.running, .paused, .cooldown] {
            gauge(
                registry, "state", labels: [label, ("state", state.rawValue)], help: "1 for the pool's current state, else 0.",
                value: snapshot.state == state ? 1 : 0
            )
        }
        gauge(
            registry, "cooldown_remaining", unit: "seconds", labels: [label],
            help: "Time until the pool's provider cooldown ends (0 when none).", value: snapshot.cooldownRemaining?.seconds ?? 0
        )
        gauge(registry, "waiting", labels: [label], help: "Acquires queued, by pool.", value: Double(snapshot.waiting))
        gauge(
            registry, "in_flight", labels: [label], help: "Granted tickets not yet reported or released, by pool.",
            value: Double(snapshot.inFlight)
        )
        gauge(
            registry, "threshold", labels: [label], help: "Fraction of each of the pool's limits that grants may fill.",
            value: snapshot.threshold
        )
    }

    private static func addBudgets(_ budgets: [BudgetSnapshot], label: (String, String), to registry: PrometheusCollectorRegistry) {
        for budget in budgets {
            let labels = [label, ("budget", budget.kind.rawValue)]
            gauge(registry, "budget_limit", labels: labels, help: "Limit per window, by pool and budget.", value: Double(budget.limit))
            gauge(
                registry, "budget_capacity", labels: labels, help: "threshold x limit: what grants may fill, by pool and budget.",
                value: Double(budget.capacity)
            )
            gauge(registry, "budget_used", labels: labels, help: "Consumed in the window, by pool and budget.", value: Double(budget.used))
            gauge(
                registry, "budget_reserved", labels: labels, help: "Held by outstanding grants, by pool and budget.",
                value: Double(budget.reserved)
            )
            gauge(
                registry, "budget_external", labels: labels,
                help: "Spending the provider reported that the window cannot see, by pool and budget.", value: Double(budget.external)
            )
        }
    }

    /// A pool's top workers by tokens used, and the rest summed under ``otherWorkers``.
    private static func addWorkers(_ workers: [WorkerSnapshot], label: (String, String), to registry: PrometheusCollectorRegistry) {
        let ranked = workers.sorted { ($0.used, $1.worker) > ($1.used, $0.worker) }
        let help = "Tokens consumed in the window, by pool and worker (each pool's top \(topWorkers); the rest as \(otherWorkers))."
        for worker in ranked.prefix(topWorkers) {
            gauge(
                registry, "worker_used", unit: "tokens", labels: [label, ("worker", worker.worker)], help: help,
                value: Double(worker.used)
            )
        }
        let rest = ranked.dropFirst(topWorkers).reduce(Int64(0)) { $0 + $1.used }
        gauge(registry, "worker_used", unit: "tokens", labels: [label, ("worker", otherWorkers)], help: help, value: Double(rest))
    }

    /// `serve --gateway`: requests, errors, in flight, and the upstream's time to a response head
    /// (as a sum and a count: rate(sum) / rate(count) is the mean).
    private static func addGateway(_ gateway: GatewayMetricsFigures, to registry: PrometheusCollectorRegistry) {
        func counter(_ name: String, unit: String, help: String, _ value: Double) {
            registry.makeCounter(descriptor: .tokengate(name, unit: unit, help: help)).increment(by: value)
        }
        counter("gateway_requests", unit: "total", help: "Requests the HTTP gateway took, gated or passed through.", Double(gateway.requests))
        counter(
            "gateway_errors", unit: "total", help: "Gateway requests that ended in a gateway error (upstream down, timed out, bad body, waited too long).",
            Double(gateway.errors)
        )
        counter(
            "gateway_upstream_responses", unit: "total", help: "Response heads the upstream sent the gateway.",
            Double(gateway.upstreamResponses)
        )
        counter(
            "gateway_upstream_latency_seconds", unit: "total",
            help: "Time from sending a request upstream to its response head, summed over gateway_upstream_responses_total.",
            gateway.upstreamLatencySumSeconds
        )
        gauge(registry, "gateway_in_flight", help: "Gateway requests being served now.", value: Double(gateway.inFlight))
    }
}
