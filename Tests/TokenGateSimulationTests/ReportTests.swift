import Testing
import TokenGateCore
@testable import TokenGateSimulation

@Suite("Reports")
struct ReportTests {
    @Test("fixed decimals without locale or printf")
    func decimals() {
        #expect(DecimalText.fixed(0.95123, decimals: 4) == "0.9512")
        #expect(DecimalText.fixed(2.5, decimals: 0) == "3")
        #expect(DecimalText.fixed(-0.0004, decimals: 3) == "0.000")
        #expect(DecimalText.fixed(-1.25, decimals: 1) == "-1.3")
        #expect(DecimalText.fixed(12, decimals: 2) == "12.00")
        #expect(DecimalText.percent(0.9512) == "95.1%")
        #expect(DecimalText.trimmed(60) == "60")
        #expect(DecimalText.trimmed(2.5) == "2.5")
    }

    @Test("durations for people")
    func durations() {
        #expect(DecimalText.duration(.zero) == "0")
        #expect(DecimalText.duration(.milliseconds(250)) == "250ms")
        #expect(DecimalText.duration(.seconds(12.34)) == "12.3s")
        #expect(DecimalText.duration(.seconds(245)) == "4m05s")
        #expect(DecimalText.duration(.seconds(3720)) == "1h02m")
    }

    @Test("nearest-rank percentiles")
    func percentiles() {
        let values: [Int64] = Array(1...100)
        #expect(SimulationResult.nearestRank(0.5, of: values) == 50)
        #expect(SimulationResult.nearestRank(0.99, of: values) == 99)
        #expect(SimulationResult.nearestRank(0.99, of: [7]) == 7)
        #expect(SimulationResult.nearestRank(0.5, of: []) == 0)
    }

    @Test("CSV has one line per simulation and JSON one result per simulation")
    func formats() throws {
        let plan = BenchmarkPlan(settings: smallSettings(requests: 2), workloads: [.steady], estimates: [.exact], workerCounts: [8])
        let report = try plan.run()
        let csv = report.render(.csv).split(separator: "\n")
        #expect(csv.count == 1 + plan.cases.count)
        #expect(csv.allSatisfy { $0.split(separator: ",", omittingEmptySubsequences: false).count == BenchmarkReport.csvHeader.count })
        let json = report.render(.json)
        #expect(json.hasPrefix("{\"seed\":1,\"limit\":1800000,\"window_s\":60.000,"))
        #expect(json.split(separator: "\n").filter { $0.contains("\"policy\":") }.count == plan.cases.count)
        let table = report.render(.table)
        #expect(table.contains("provider window:"))
        #expect(table.contains("provider bucket:"))
        #expect(table.contains("tokengate 0.95"))
    }
}
