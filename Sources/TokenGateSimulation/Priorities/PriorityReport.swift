import TokenGateCore

/// The interactive-plus-batch comparison as a text table: one row per mode.
public struct PriorityReport: Sendable {
    public let scenario: PriorityScenario
    public let results: [PriorityRunResult]

    public init(scenario: PriorityScenario, results: [PriorityRunResult]) {
        self.scenario = scenario
        self.results = results
    }

    /// FIFO, priorities, and priorities with 10 % of each capacity kept for high priority.
    public static let modes: [PriorityMode] = [.fifo, .priorities(reserve: 0), .priorities(reserve: 0.1)]

    /// Runs every mode of `modes` on `scenario`.
    public static func run(_ scenario: PriorityScenario, modes: [PriorityMode] = modes) throws -> PriorityReport {
        PriorityReport(scenario: scenario, results: try modes.map { try PrioritySimulation.run(scenario, mode: $0) })
    }

    /// A header line describing the scenario, then the table.
    public func table() -> String {
        let s = scenario
        let lines = [
            "interactive + batch: \(s.interactiveWorkers) interactive workers (one request at a time, median \(Int(s.interactiveTokens)) tokens, think \(s.thinkTime.seconds) s), "
                + "\(s.batchWorkers) batch workers (back to back, median \(Int(s.batchTokens)) tokens); limit \(s.limit) per \(s.window.seconds) s window, "
                + "threshold \(s.threshold), service \(s.serviceTime.seconds) s, \(Int(s.duration.seconds)) s virtual, seed \(s.seed)",
            "",
        ]
        let header = ["mode", "interactive", "wait p50 ms", "wait p99 ms", "wait max ms", "batch grants", "batch tok/min", "longest batch wait ms"]
        var table = TextTable(header: header)
        for result in results {
            table.append([
                result.mode.description, "\(result.interactiveWaitsMs.count)", "\(result.interactiveWaitMs(quantile: 0.5))",
                "\(result.interactiveWaitMs(quantile: 0.99))", "\(result.interactiveWaitsMs.last ?? 0)", "\(result.batchGrants)",
                "\(result.batchTokensPerMinute)", "\(result.longestBatchWaitMs)",
            ])
        }
        return (lines + table.lines()).joined(separator: "\n") + "\n"
    }
}
