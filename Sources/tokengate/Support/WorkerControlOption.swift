import ArgumentParser

/// `--worker NAME` on `pause` and `resume`: that worker alone, in every pool.
struct WorkerControlOption: ParsableArguments {
    @Option(
        name: .customLong("worker"),
        help: ArgumentHelp(
            "Only this worker, in every pool: its queued acquires keep their place but are passed over.",
            valueName: "name"
        )
    )
    var worker: String?

    /// Checks the name, and that it is not combined with `--pool` (a worker's pause applies in every pool).
    func check(pool: String?) throws {
        try ArgumentChecks.workerName(worker)
        if worker != nil, pool != nil {
            throw ValidationError("--worker applies in every pool: drop --pool")
        }
    }
}
