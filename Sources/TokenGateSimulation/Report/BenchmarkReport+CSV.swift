extension BenchmarkReport {
    /// The CSV columns, in order.
    static let csvHeader = [
        "provider", "workload", "estimates", "workers", "policy", "offered_x_limit", "served_share", "steady_share",
        "overshoots", "wait_p50_s", "wait_p99_s", "makespan_s", "served_tokens", "requests", "attempts", "events",
        "unseen_share", "unseen_429s",
    ]

    /// A header line, then one line per simulation. An undefined steady share is an empty field.
    func renderCSV() -> String {
        var output = Self.csvHeader.joined(separator: ",") + "\n"
        for result in results {
            let current = result.simulationCase
            let fields = [
                current.provider.rawValue, current.workload.rawValue, current.estimates.rawValue, String(current.workers),
                current.policy.key, DecimalText.fixed(result.offeredLoad, decimals: 4),
                DecimalText.fixed(result.servedShare, decimals: 4),
                result.steadyShare.map { DecimalText.fixed($0, decimals: 4) } ?? "",
                String(result.overshoots), DecimalText.seconds(result.waitMedian), DecimalText.seconds(result.waitP99),
                DecimalText.seconds(result.makespan), String(result.servedTokens), String(result.requests),
                String(result.attempts), String(result.events),
                result.backgroundShare.map { DecimalText.fixed($0, decimals: 4) } ?? "", String(result.backgroundRefusals),
            ]
            output += fields.joined(separator: ",") + "\n"
        }
        return output
    }
}
