import ArgumentParser
import Foundation
import TokenGateSimulation

extension BenchSimCommand {
    /// Runs `run` on every case, `--jobs` cases at a time, with the progress line; the results
    /// come back in the cases' order. A simulation that fails is a command failure.
    func runCases<Case: Sendable, Outcome: Sendable>(
        _ cases: [Case], _ run: @escaping @Sendable (Case) throws -> Outcome
    ) async throws -> [Outcome] {
        let parallel = max(1, jobs ?? ProcessInfo.processInfo.activeProcessorCount)
        let progress = ProgressLine(enabled: !noProgress && isatty(STDERR_FILENO) == 1, total: cases.count)
        var results = [Outcome?](repeating: nil, count: cases.count)
        do {
            try await withThrowingTaskGroup(of: (Int, Outcome).self) { group in
                var next = 0
                func addTask() {
                    let index = next
                    let item = cases[index]
                    group.addTask { (index, try run(item)) }
                    next += 1
                }
                while next < min(parallel, cases.count) { addTask() }
                var done = 0
                while let (index, result) = try await group.next() {
                    results[index] = result
                    done += 1
                    progress.show(done: done)
                    if next < cases.count { addTask() }
                }
            }
        } catch let error as SimulationError {
            progress.clear()
            throw failure("simulation failed: \(error)")
        }
        progress.clear()
        return results.compactMap { $0 }
    }
}
