import Testing
import TokenGateDashboard

@Suite struct WorkerSortTests {
    @Test func namesSortNaturally() {
        let names = ["crawler-10", "crawler-9", "agent", "crawler-09", "crawler-1", "agent-2", "crawler-10b", "Crawler-3"]
        #expect(names.sorted(by: WorkerSort.naturalLess) == [
            "Crawler-3", "agent", "agent-2", "crawler-1", "crawler-9", "crawler-09", "crawler-10", "crawler-10b",
        ])
    }

    @Test func everyOrderBreaksTiesByName() {
        let fleet = SyntheticFleet(workerCount: 30).status(at: 50)
        for sort in WorkerSort.allCases {
            let sorted = sort.sorted(fleet.workers)
            #expect(sorted.count == 30)
            #expect(sort.sorted(sorted.reversed()) == sorted)
        }
    }
}
