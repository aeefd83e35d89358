import TokenGateCore

extension BenchmarkReport {
    /// One table per provider model; the workload, estimates, workers and offered load are printed
    /// on the first row of each group of policies.
    func renderTable() -> String {
        var output = "tokengate bench sim: " + parametersLine + "\n"
        for provider in plan.providers {
            let rows = results.filter { $0.simulationCase.provider == provider }
            guard !rows.isEmpty else { continue }
            output += "\nprovider \(provider.rawValue): \(provider.summary)\n\n"
            var table = TextTable(columns: [
                ("workload", .left), ("estimates", .left), ("workers", .right), ("offered", .right),
                ("policy", .left), ("served", .right), ("steady", .right), ("unseen", .right), ("429s", .right),
                ("wait p50", .right), ("wait p99", .right), ("makespan", .right),
            ])
            var previous: SimulationResult?
            for result in rows {
                let current = result.simulationCase
                let sameGroup = previous.map {
                    $0.simulationCase.workload == current.workload && $0.simulationCase.estimates == current.estimates
                        && $0.simulationCase.workers == current.workers
                } ?? false
                let sameWorkload = previous.map {
                    $0.simulationCase.workload == current.workload && $0.simulationCase.estimates == current.estimates
                } ?? true
                if !sameWorkload { table.appendSeparator() }
                table.append([
                    sameGroup ? "" : current.workload.rawValue,
                    sameGroup ? "" : current.estimates.rawValue,
                    sameGroup ? "" : String(current.workers),
                    sameGroup ? "" : DecimalText.fixed(result.offeredLoad, decimals: 2) + "x",
                    current.policy.label,
                    DecimalText.percent(result.servedShare),
                    result.steadyShare.map(DecimalText.percent) ?? "-",
                    result.backgroundShare.map(DecimalText.percent) ?? "-",
                    String(result.overshoots),
                    DecimalText.duration(result.waitMedian),
                    DecimalText.duration(result.waitP99),
                    DecimalText.duration(result.makespan),
                ])
                previous = result
            }
            output += table.render()
        }
        output += "\n" + Self.legend
        return output
    }

    /// What every column means.
    static let legend = """
        served     tokens served / (limit x makespan / window): the whole job set, from t = 0 to its last response
        steady     the same share over the whole windows from t = window until the first worker is done (every worker
                   busy: warm-up and drain left out); '-' when not one window fits; a bucket can pass 100 % by what
                   it had stored when the interval began
        unseen     shared workload: what the second consumer the limiters never see (25 % of the limit, 5,000-token
                   requests, retried after a 429) got served, as a share of limit x makespan / window
        offered    tokens per window the workers would send if nothing held them back, as a multiple of the limit
        429s       requests the provider refused (each is retried after the provider's retry-after, in whole seconds)
        wait       from wanting to send a request to the provider accepting it (limiter queue, re-checks, 429 waits)
        estimates  exact: real input + output; typical: real input + the workload's median output
        policies   no limiter; seed 0.8/2s: used < 0.8 x limit, 2 s re-checks, no reservations; tokengate <threshold>:
                   reserving FIFO gate, estimate reserved at grant, real usage at report, 429 -> cooldown;
                   +fb (shared workload only): also provider feedback, each response's rate-limit headers (remaining
                   rounded down to thousands, reset) go to the gate, which counts what it cannot see as external usage
        requests are charged by the provider at the instant they are sent (real input + output); the gate learns
        the usage when a request ends

        """
}
