import Testing
import TokenGateCore
@testable import TokenGateSimulation

/// The pools race: a two-model fleet (70 % of the workers on class A, 30 % on class B with a
/// quarter of A's limit), each class limited by its own provider.
@Suite("Two model classes: one shared limit against two pools")
struct PoolRaceTests {
    static let settings = PoolRaceSettings(
        common: SimulationSettings(seed: 1, limit: 1_800_000, window: .seconds(60), requestsPerWorker: 20),
        secondLimit: 450_000, secondShare: 0.3
    )

    static func run(_ arrangement: PoolArrangement, provider: ProviderModel) throws -> PoolRaceResult {
        try PoolRacePlan.run(
            PoolRaceCase(provider: provider, estimates: .exact, workers: 128, threshold: 0.9, arrangement: arrangement),
            settings: settings
        )
    }

    @Test("workers split 70/30, spread through the list")
    func classSplit() {
        let classes = (0..<10).map { Self.settings.modelClass(ofWorker: $0, count: 10) }
        #expect(classes.filter { $0 == .second }.count == 3)
        #expect(classes.prefix(4).contains(.second) && classes.suffix(4).contains(.second))
        let many = (0..<64).filter { Self.settings.modelClass(ofWorker: $0, count: 64) == .second }.count
        #expect(many == 19)
    }

    @Test(
        "two pools: no 429 on either class; one limit at the sum: 429s on the smaller class; one at the smaller: A starved",
        arguments: [ProviderModel.window, .bucket])
    func arrangements(provider: ProviderModel) throws {
        let smaller = try Self.run(.sharedSmaller, provider: provider)
        let sum = try Self.run(.sharedSum, provider: provider)
        let pools = try Self.run(.twoPools, provider: provider)
        for result in [smaller, sum, pools] {
            #expect(result.outcome(.first).requests == 90 * 20)
            #expect(result.outcome(.second).requests == 38 * 20)
        }
        #expect(pools.outcome(.first).overshoots == 0 && pools.outcome(.second).overshoots == 0)
        #expect(sum.outcome(.second).overshoots > 0, "B takes more than its own limit under the sum")
        #expect(smaller.outcome(.first).overshoots == 0 && smaller.outcome(.second).overshoots == 0)
        // One limit at the smaller holds both classes to B's limit: A uses far less of its own.
        #expect(smaller.outcome(.first).share < pools.outcome(.first).share / 2)
        // Two pools use most of each class's limit (measured: A 79 %, B 88 % on both providers).
        #expect(pools.outcome(.first).share > 0.7 && pools.outcome(.second).share > 0.8)
        // Under the sum, B's 429s cool the one shared pool: A gets less than with its own pool.
        #expect(sum.outcome(.first).share < pools.outcome(.first).share)
    }

    @Test("the same seed gives the same report, byte for byte")
    func deterministic() throws {
        let plan = PoolRacePlan(settings: Self.settings, providers: [.window], workerCounts: [24])
        func report() throws -> String {
            try PoolRaceReport(plan: plan, results: plan.cases.map { try PoolRacePlan.run($0, settings: plan.settings) })
                .render(.csv)
        }
        let first = try report()
        #expect(first == (try report()))
        #expect(first.split(separator: "\n").count == 1 + 3 * 2)
        #expect(first.hasPrefix(PoolRaceReport.csvColumns.joined(separator: ",")))
    }
}
