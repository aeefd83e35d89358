extension PoolRaceReport {
    /// `{"seed", "limits", "second_share", "window_s", "requests_per_worker", "results": [...]}`, one
    /// result per line, each with `classes` (A then B) named as the CSV columns.
    func renderJSON() -> String {
        let settings = plan.settings
        let common = settings.common
        var output = "{\"seed\":\(common.seed),\"limits\":[\(settings.limit(of: .first)),\(settings.limit(of: .second))],"
            + "\"second_share\":\(DecimalText.trimmed(settings.secondShare)),"
            + "\"window_s\":\(DecimalText.seconds(common.window)),"
            + "\"requests_per_worker\":\(common.requestsPerWorker),\"results\":[\n"
        for (index, result) in results.enumerated() {
            let raceCase = result.raceCase
            let classes = ModelClass.allCases.map { modelClass in
                let outcome = result.outcome(modelClass)
                let fields = [
                    "\"class\":\"\(modelClass.name)\"", "\"limit\":\(outcome.limit)", "\"class_workers\":\(outcome.workers)",
                    "\"requests\":\(outcome.requests)", "\"served_tokens\":\(outcome.servedTokens)",
                    "\"share\":\(DecimalText.fixed(outcome.share, decimals: 4))", "\"overshoots\":\(outcome.overshoots)",
                    "\"wait_p50_s\":\(DecimalText.seconds(outcome.waitMedian))",
                    "\"wait_p99_s\":\(DecimalText.seconds(outcome.waitP99))",
                    "\"makespan_s\":\(DecimalText.seconds(outcome.makespan))",
                ]
                return "{" + fields.joined(separator: ",") + "}"
            }
            let fields = [
                "\"provider\":\"\(raceCase.provider.rawValue)\"", "\"estimates\":\"\(raceCase.estimates.rawValue)\"",
                "\"workers\":\(raceCase.workers)", "\"threshold\":\(DecimalText.trimmed(raceCase.threshold))",
                "\"daemon\":\"\(raceCase.arrangement.rawValue)\"", "\"classes\":[" + classes.joined(separator: ",") + "]",
            ]
            output += "{" + fields.joined(separator: ",") + "}" + (index + 1 < results.count ? ",\n" : "\n")
        }
        return output + "]}\n"
    }
}
