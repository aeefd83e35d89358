import TokenGateCore
import TokenGateWire

/// The readable, multi-line form of a Status object that `tokengate status` prints.
///
/// ```
/// tokengate/0.1.0 · running · up 1h 02m
/// window 60 s · limit 1,800,000 tokens · threshold 0.9 (grants up to 1,620,000)
/// used 412,300 (22.9 %) · reserved 12,000 · in flight 3 · waiting 0
/// last window: 412,300 tokens/min · 1.85 grants/s · wait p99 850 ms · 0 429s
///
/// budgets    used        reserved    limit
/// tokens     412,300     12,000      1,800,000
///
/// workers    used        requests  in flight  waiting  last seen
/// crawler-1  300,100     41        2          0        0.2 s ago
/// ```
enum StatusSummary {
    static func render(_ status: Status) -> String {
        var lines: [String] = []
        var head = "\(status.server) · \(status.state.rawValue)"
        if let remaining = status.cooldownRemainingMs {
            head += " (\(formatMilliseconds(remaining)) left"
            if let worker = status.cooldownWorker { head += ", after a 429 from \(worker)" }
            head += ")"
        }
        head += " · up \(formatUptime(status.uptimeMs))"
        lines.append(head)

        let admissible = Int64((Double(status.limit) * status.threshold).rounded(.down))
        lines.append(
            "window \(formatMilliseconds(status.windowMs)) · limit \(grouped(status.limit)) tokens · "
                + "threshold \(status.threshold) (grants up to \(grouped(admissible)))")
        let share = status.limit > 0 ? Double(status.used) / Double(status.limit) * 100 : 0
        lines.append(
            "used \(grouped(status.used)) (\(formatPercent(share))) · reserved \(grouped(status.reserved)) · "
                + "in flight \(status.inFlight) · waiting \(status.waiting)")
        if let rates = status.rates {
            let wait = "wait p99 " + (rates.waitP99Ms.map(formatMilliseconds) ?? "-")
            let perSecond = rates.grantsPerS
            let grants = perSecond == perSecond.rounded() && perSecond < 1e15 ? String(Int64(perSecond)) : "\(perSecond)"
            lines.append(
                "last window: \(grouped(rates.tokensPerMin)) tokens/min · \(grants) grants/s · \(wait) · "
                    + "\(rates.throttlesInWindow) 429s")
        }
        if let queue = status.queue {
            var text = "next in line: \(queue.worker) for \(grouped(queue.estimate)) tokens"
            if queue.oversized { text += " (larger than the threshold: waits for an empty window)" }
            if let admissibleIn = queue.admissibleInMs { text += ", admissible in \(formatMilliseconds(admissibleIn))" }
            if let priority = queue.priority, priority != .normal { text += ", priority \(priority.rawValue)" }
            lines.append(text)
        }
        if let mix = status.queueByPriority, mix.high + mix.low > 0 {
            lines.append("queued by priority: high \(mix.high) · normal \(mix.normal) · low \(mix.low)")
        }
        if let cluster = status.cluster { lines.append(contentsOf: clusterLines(cluster)) }

        if !status.budgets.isEmpty {
            lines.append("")
            lines.append(
                contentsOf: table(
                    header: ["budgets", "used", "reserved", "limit"],
                    rows: status.budgets.map { [$0.name, grouped($0.used), grouped($0.reserved), grouped($0.limit)] }))
        }
        if let pools = status.pools, pools.count > 1 {
            lines.append("")
            lines.append(
                contentsOf: table(
                    header: ["pools", "models", "state", "used", "reserved", "limit", "waiting"],
                    rows: pools.map { pool in
                        [
                            pool.name, pool.models.isEmpty ? "(others)" : pool.models.joined(separator: " "),
                            pool.state.rawValue, grouped(pool.used), grouped(pool.reserved), grouped(pool.limit),
                            String(pool.waiting),
                        ]
                    }))
        }
        lines.append("")
        if status.workers.isEmpty {
            lines.append("workers    none in the window")
        } else {
            lines.append(
                contentsOf: table(
                    header: ["workers", "used", "requests", "in flight", "waiting", "last seen"],
                    rows: status.workers.map { worker in
                        [
                            worker.worker, grouped(worker.used), grouped(worker.requests), String(worker.inFlight),
                            String(worker.waiting),
                            formatMilliseconds(worker.lastSeenMsAgo) + " ago" + (worker.connected ? "" : " (gone)")
                                + (worker.paused == true ? " · paused" : "") + (worker.cap.map { " · cap \($0)" } ?? ""),
                        ]
                    }))
        }
        return lines.joined(separator: "\n")
    }

    /// Left-aligned columns, two spaces apart.
    static func table(header: [String], rows: [[String]]) -> [String] {
        TextTable(header: header, rows: rows, others: .left).lines()
    }

    /// `1,234,567`.
    static func grouped(_ value: Int64) -> String {
        let digits = String(value.magnitude)
        var result = ""
        for (position, digit) in digits.enumerated() {
            if position > 0 && (digits.count - position) % 3 == 0 { result.append(",") }
            result.append(digit)
        }
        return value < 0 ? "-" + result : result
    }

    /// `850 ms`, `2 s`, `1.5 s`, `90 s`.
    static func formatMilliseconds(_ milliseconds: Int64) -> String {
        if milliseconds < 1_000 { return "\(milliseconds) ms" }
        if milliseconds % 1_000 == 0 { return "\(milliseconds / 1_000) s" }
        let tenths = (milliseconds + 50) / 100
        return "\(tenths / 10).\(tenths % 10) s"
    }

    /// `42 s`, `3m 07s`, `2h 05m`, `3d 04h`.
    static func formatUptime(_ milliseconds: Int64) -> String {
        let seconds = max(0, milliseconds / 1_000)
        if seconds < 60 { return "\(seconds) s" }
        let minutes = seconds / 60
        if minutes < 60 { return "\(minutes)m \(twoDigits(seconds % 60))s" }
        let hours = minutes / 60
        if hours < 24 { return "\(hours)h \(twoDigits(minutes % 60))m" }
        return "\(hours / 24)d \(twoDigits(hours % 24))h"
    }

    /// `22.9 %`.
    static func formatPercent(_ value: Double) -> String {
        let tenths = Int64((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10) %"
    }

    private static func twoDigits(_ value: Int64) -> String {
        value < 10 ? "0\(value)" : String(value)
    }
}
extension StatusSummary {
    /// `serve --redis`: the organisation's state and hosts.
    static func clusterLines(_ cluster: ClusterStatus) -> [String] {
        var head = "org \(cluster.org) via Redis: \(cluster.state.rawValue)"
        if let host = cluster.host { head += " · this host \(host)" }
        if let pending = cluster.pending, pending > 0 { head += " · \(pending) calls pending" }
        if cluster.state == .unreachable {
            head += " (granting nothing"
            if let error = cluster.lastError { head += ": \(error)" }
            head += ")"
        }
        var lines = [head]
        for host in cluster.hosts.sorted(by: { $0.host < $1.host }) {
            lines.append(
                "  host \(host.host): \(host.workers) workers · used \(grouped(host.used)) · reserved \(grouped(host.reserved)) · "
                    + "waiting \(host.waiting) · seen \(formatMilliseconds(host.lastSeenMsAgo)) ago")
        }
        return lines
    }
}
