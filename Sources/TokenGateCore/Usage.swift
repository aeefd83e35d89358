/// What one request really cost, as a worker reports it (Anthropic's usage fields).
public struct Usage: Hashable, Sendable {
    public var input: Int64
    public var output: Int64
    public var cacheCreation: Int64
    public var cacheRead: Int64

    /// Validates every field: each must be within 0 ... 2^53-1.
    public init(input: Int64, output: Int64, cacheCreation: Int64 = 0, cacheRead: Int64 = 0) throws(CountError) {
        self.input = try TokenCount.validated(input, field: "input")
        self.output = try TokenCount.validated(output, field: "output")
        self.cacheCreation = try TokenCount.validated(cacheCreation, field: "cache_creation")
        self.cacheRead = try TokenCount.validated(cacheRead, field: "cache_read")
    }

    /// The amounts this usage consumes from each budget, counting one request.
    public func amounts(countingCacheRead: Bool) -> BudgetAmounts {
        // Anthropic counts cache writes as input, in its input-tokens limit too.
        var inputSide = input.addingSaturating(cacheCreation)
        if countingCacheRead { inputSide = inputSide.addingSaturating(cacheRead) }
        return BudgetAmounts(tokens: inputSide.addingSaturating(output), input: inputSide, output: output, requests: 1)
    }
}

/// What an acquire expects to spend. Every field is optional; the gate fills the gaps from the
/// worker's recent mean cost.
public struct Estimate: Hashable, Sendable {
    /// The total (input + output + cache_creation) the request is expected to spend.
    public var tokens: Int64?
    public var input: Int64?
    public var output: Int64?

    /// Validates every given field: each must be within 0 ... 2^53-1.
    public init(tokens: Int64? = nil, input: Int64? = nil, output: Int64? = nil) throws(CountError) {
        self.tokens = try tokens.map { v throws(CountError) in try TokenCount.validated(v, field: "tokens") }
        self.input = try input.map { v throws(CountError) in try TokenCount.validated(v, field: "input") }
        self.output = try output.map { v throws(CountError) in try TokenCount.validated(v, field: "output") }
    }

    /// No estimate at all: the gate uses the recent mean cost.
    public static let unknown = Estimate(unchecked: nil, nil, nil)

    private init(unchecked tokens: Int64?, _ input: Int64?, _ output: Int64?) {
        self.tokens = tokens
        self.input = input
        self.output = output
    }
}
