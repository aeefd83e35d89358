import TokenGateCore

/// One request of a job set: what it really costs, what a client would estimate, how long it takes.
public struct SimulatedRequest: Hashable, Sendable {
    /// Real input tokens.
    public let input: Int64
    /// Real output tokens.
    public let output: Int64
    /// The output a client expects before sending (the workload's median output).
    public let typicalOutput: Int64
    /// The worker's wait before wanting to send it: its start offset for the first request, a
    /// think time after the previous one for the others.
    public let delayBefore: TimeSpan
    /// From sending to the last token.
    public let duration: TimeSpan
    /// The real usage, reported when the request ends.
    public let usage: Usage
    private let exactEstimate: Estimate
    private let typicalEstimate: Estimate

    /// A request; throws when a count is outside what the gate accepts.
    public init(
        input: Int64, output: Int64, typicalOutput: Int64, delayBefore: TimeSpan, duration: TimeSpan
    ) throws(CountError) {
        self.input = input
        self.output = output
        self.typicalOutput = typicalOutput
        self.delayBefore = delayBefore
        self.duration = duration
        self.usage = try Usage(input: input, output: output)
        self.exactEstimate = try Estimate(input: input, output: output)
        self.typicalEstimate = try Estimate(input: input, output: typicalOutput)
    }

    /// The real cost: input + output, what the provider charges.
    public var tokens: Int64 { input + output }

    /// The estimate given to the gate under `mode`.
    public func estimate(_ mode: EstimateMode) -> Estimate {
        switch mode {
        case .exact: exactEstimate
        case .typical: typicalEstimate
        }
    }
}
