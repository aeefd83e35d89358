import Testing
import TokenGateSimulation

/// The interactive-plus-batch comparison behind `tokengate bench sim --priorities`.
@Suite("Simulation: priorities")
struct PrioritySimulationTests {
    static let scenario = PriorityScenario(seed: 3, duration: .seconds(600))

    @Test("the same seed gives the same results")
    func deterministic() throws {
        #expect(try PriorityReport.run(Self.scenario).results == PriorityReport.run(Self.scenario).results)
        var other = Self.scenario
        other.seed = 4
        #expect(try PriorityReport.run(other).results != PriorityReport.run(Self.scenario).results)
    }

    @Test("priorities cut the interactive waits; the reserve cuts them further; batch keeps its throughput and is not starved")
    func prioritiesHelpInteractive() throws {
        let report = try PriorityReport.run(Self.scenario)
        let fifo = report.results[0]
        let priorities = report.results[1]
        let reserved = report.results[2]
        #expect(fifo.interactiveWaitsMs.count >= 10 && priorities.interactiveWaitsMs.count >= 10)
        #expect(priorities.interactiveWaitMs(quantile: 0.5) * 10 <= fifo.interactiveWaitMs(quantile: 0.5), "\(report.table())")
        #expect(priorities.interactiveWaitMs(quantile: 0.99) < fifo.interactiveWaitMs(quantile: 0.99), "\(report.table())")
        #expect(reserved.interactiveWaitMs(quantile: 0.99) <= priorities.interactiveWaitMs(quantile: 0.99), "\(report.table())")
        #expect(Double(priorities.batchGrants) >= 0.8 * Double(fifo.batchGrants), "\(report.table())")
        #expect(Double(priorities.longestBatchWaitMs) <= 1.5 * Double(fifo.longestBatchWaitMs), "\(report.table())")
        #expect(report.table().contains("longest batch wait ms"))
    }
}
