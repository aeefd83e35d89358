/// One amount per budget kind: what a report consumed, what a ticket reserves, what a window holds.
/// Arithmetic saturates instead of trapping, and subtraction never goes below zero.
public struct BudgetAmounts: Hashable, Sendable, CustomStringConvertible {
    public var tokens: Int64
    public var input: Int64
    public var output: Int64
    public var requests: Int64

    public init(tokens: Int64 = 0, input: Int64 = 0, output: Int64 = 0, requests: Int64 = 0) {
        self.tokens = tokens
        self.input = input
        self.output = output
        self.requests = requests
    }

    public static let zero = BudgetAmounts()

    public subscript(kind: BudgetKind) -> Int64 {
        get {
            switch kind {
            case .tokens: tokens
            case .input: input
            case .output: output
            case .requests: requests
            }
        }
        set {
            switch kind {
            case .tokens: tokens = newValue
            case .input: input = newValue
            case .output: output = newValue
            case .requests: requests = newValue
            }
        }
    }

    public var isZero: Bool { tokens == 0 && input == 0 && output == 0 && requests == 0 }

    /// True when any amount sits at `Int64.max`, so a running total can no longer be kept by subtraction.
    var isSaturated: Bool { tokens == .max || input == .max || output == .max || requests == .max }

    public static func + (lhs: BudgetAmounts, rhs: BudgetAmounts) -> BudgetAmounts {
        BudgetAmounts(
            tokens: lhs.tokens.addingSaturating(rhs.tokens),
            input: lhs.input.addingSaturating(rhs.input),
            output: lhs.output.addingSaturating(rhs.output),
            requests: lhs.requests.addingSaturating(rhs.requests)
        )
    }

    public static func += (lhs: inout BudgetAmounts, rhs: BudgetAmounts) { lhs = lhs + rhs }

    /// Subtraction clamped at zero.
    public static func - (lhs: BudgetAmounts, rhs: BudgetAmounts) -> BudgetAmounts {
        BudgetAmounts(
            tokens: max(0, lhs.tokens - min(lhs.tokens, rhs.tokens)),
            input: max(0, lhs.input - min(lhs.input, rhs.input)),
            output: max(0, lhs.output - min(lhs.output, rhs.output)),
            requests: max(0, lhs.requests - min(lhs.requests, rhs.requests))
        )
    }

    public static func -= (lhs: inout BudgetAmounts, rhs: BudgetAmounts) { lhs = lhs - rhs }

    public var description: String { "tokens=\(tokens) input=\(input) output=\(output) requests=\(requests)" }
}
