import TokenGateCore

/// How long a request takes from sending to its last token: a fixed time to first token, the input
/// read at a prefill rate, then the output streamed at a decoding rate. The usage of a request is
/// known (and reported to the gate) only when it ends.
public struct ServiceTime: Hashable, Sendable {
    /// Latency before the first token.
    public var firstToken: TimeSpan
    /// Input tokens read per second.
    public var inputTokensPerSecond: Double
    /// Output tokens streamed per second.
    public var outputTokensPerSecond: Double

    /// A service time with the given latency and rates.
    public init(firstToken: TimeSpan, inputTokensPerSecond: Double, outputTokensPerSecond: Double) {
        self.firstToken = firstToken
        self.inputTokensPerSecond = inputTokensPerSecond
        self.outputTokensPerSecond = outputTokensPerSecond
    }

    /// 0.4 s to first token, 25,000 input tokens/s, 60 output tokens/s.
    public static let typical = ServiceTime(
        firstToken: .milliseconds(400), inputTokensPerSecond: 25_000, outputTokensPerSecond: 60
    )

    /// The duration of a request with `input` and `output` tokens.
    public func duration(input: Int64, output: Int64) -> TimeSpan {
        firstToken + .seconds(Double(input) / inputTokensPerSecond + Double(output) / outputTokensPerSecond)
    }
}
