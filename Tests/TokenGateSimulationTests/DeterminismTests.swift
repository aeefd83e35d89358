import Testing
@testable import TokenGateSimulation

@Suite("Determinism")
struct DeterminismTests {
    /// Every policy, provider and estimate mode, on workloads short enough for a debug build.
    static func plan(seed: UInt64, workloads: [Workload] = Workload.allCases) -> BenchmarkPlan {
        BenchmarkPlan(settings: smallSettings(seed: seed, requests: 2), workloads: workloads, workerCounts: [6, 40])
    }

    @Test("the same seed gives the same table, CSV and JSON, byte for byte")
    func sameSeedSameReport() throws {
        let first = try Self.plan(seed: 1).run()
        let second = try Self.plan(seed: 1).run()
        for format in ReportFormat.allCases {
            #expect(Array(first.render(format).utf8) == Array(second.render(format).utf8))
        }
    }

    @Test("a different seed gives a different table")
    func differentSeedDifferentReport() throws {
        let first = try Self.plan(seed: 1, workloads: [.steady]).run()
        let other = try Self.plan(seed: 2, workloads: [.steady]).run()
        #expect(first.render(.table) != other.render(.table))
    }

    @Test("the job set is the same for every policy and provider, and per worker does not depend on the others")
    func jobSetsAreShared() throws {
        let eight = try JobSet(workload: .steady, workerCount: 8, requestsPerWorker: 5, seed: 9, limit: 1_800_000)
        let again = try JobSet(workload: .steady, workerCount: 8, requestsPerWorker: 5, seed: 9, limit: 1_800_000)
        #expect(eight.requestsByWorker == again.requestsByWorker)
        let otherSeed = try JobSet(workload: .steady, workerCount: 8, requestsPerWorker: 5, seed: 10, limit: 1_800_000)
        #expect(eight.requestsByWorker != otherSeed.requestsByWorker)
    }
}
