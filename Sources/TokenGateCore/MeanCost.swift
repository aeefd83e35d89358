/// The recent mean cost of requests: an exponential moving average over settled usage, weighting
/// the latest report by `weight`.
public struct MeanCost: Hashable, Sendable {
    public private(set) var tokens: Double = 0
    public private(set) var input: Double = 0
    public private(set) var output: Double = 0
    public private(set) var samples: Int = 0
    public let weight: Double

    public init(weight: Double = 0.25) { self.weight = weight }

    public var hasSamples: Bool { samples > 0 }

    /// Folds one settled request into the average.
    public mutating func add(_ amounts: BudgetAmounts) {
        let alpha = samples == 0 ? 1 : weight
        tokens += alpha * (Double(amounts.tokens) - tokens)
        input += alpha * (Double(amounts.input) - input)
        output += alpha * (Double(amounts.output) - output)
        samples = samples == .max ? samples : samples + 1
    }
}
