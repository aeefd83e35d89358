/// The results of a run, and their renderings.
public struct BenchmarkReport: Hashable, Sendable {
    /// What was run.
    public let plan: BenchmarkPlan
    /// One result per case, in the plan's order.
    public let results: [SimulationResult]

    /// A report of `results`, which must follow `plan.cases`.
    public init(plan: BenchmarkPlan, results: [SimulationResult]) {
        self.plan = plan
        self.results = results
    }

    /// The report as text in `format`, ending with a newline.
    public func render(_ format: ReportFormat) -> String {
        format.pick(table: renderTable, csv: renderCSV, json: renderJSON)
    }

    /// One line naming the run's parameters.
    var parametersLine: String {
        let settings = plan.settings
        let scaled = plan.workloads.filter { $0.shape.requestsScale != 1 }
            .map { "\($0.rawValue): \(settings.requestsPerWorker * $0.shape.requestsScale)" }
        let requests = "\(settings.requestsPerWorker) requests per worker"
            + (scaled.isEmpty ? "" : " (" + scaled.joined(separator: ", ") + ")")
        return "seed \(settings.seed), limit \(settings.limit) tokens per \(DecimalText.trimmed(settings.window.seconds)) s window, "
            + requests + ", virtual time"
    }
}

/// How a report is printed.
public enum ReportFormat: String, CaseIterable, Hashable, Sendable {
    /// Aligned columns for people, one table per provider model, with a legend.
    case table
    /// One header line, then one line per simulation, raw numbers.
    case csv
    /// One object: the parameters and an array of results, raw numbers.
    case json

    /// The rendering this format names, made only for it.
    func pick(table: () -> String, csv: () -> String, json: () -> String) -> String {
        switch self {
        case .table: table()
        case .csv: csv()
        case .json: json()
        }
    }
}
