/// What a worker tells tokengate a request will cost when it acquires.
public enum EstimateMode: String, CaseIterable, Hashable, Sendable {
    /// The real input + output: a perfect estimate.
    case exact
    /// Input exact (the client has the prompt), output unknown: estimated at the workload's median
    /// output, while the real output is drawn from the workload's distribution (log-normal, or
    /// Pareto for streams). Underestimates long answers, overestimates short ones.
    case typical
}
