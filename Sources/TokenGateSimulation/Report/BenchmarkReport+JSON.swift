extension BenchmarkReport {
    /// `{"seed", "limit", "window_s", "requests_per_worker", "results": [...]}` with one result per
    /// line; a result's fields are named as the CSV columns, an undefined steady share is null.
    func renderJSON() -> String {
        let settings = plan.settings
        var output = "{\"seed\":\(settings.seed),\"limit\":\(settings.limit),"
            + "\"window_s\":\(DecimalText.seconds(settings.window)),"
            + "\"requests_per_worker\":\(settings.requestsPerWorker),\"results\":[\n"
        for (index, result) in results.enumerated() {
            let current = result.simulationCase
            let fields = [
                "\"provider\":\"\(current.provider.rawValue)\"",
                "\"workload\":\"\(current.workload.rawValue)\"",
                "\"estimates\":\"\(current.estimates.rawValue)\"",
                "\"workers\":\(current.workers)",
                "\"policy\":\"\(current.policy.key)\"",
                "\"offered_x_limit\":\(DecimalText.fixed(result.offeredLoad, decimals: 4))",
                "\"served_share\":\(DecimalText.fixed(result.servedShare, decimals: 4))",
                "\"steady_share\":" + (result.steadyShare.map { DecimalText.fixed($0, decimals: 4) } ?? "null"),
                "\"overshoots\":\(result.overshoots)",
                "\"wait_p50_s\":\(DecimalText.seconds(result.waitMedian))",
                "\"wait_p99_s\":\(DecimalText.seconds(result.waitP99))",
                "\"makespan_s\":\(DecimalText.seconds(result.makespan))",
                "\"served_tokens\":\(result.servedTokens)",
                "\"requests\":\(result.requests)",
                "\"attempts\":\(result.attempts)",
                "\"events\":\(result.events)",
            ]
            output += "{" + fields.joined(separator: ",") + "}" + (index + 1 < results.count ? ",\n" : "\n")
        }
        return output + "]}\n"
    }
}
