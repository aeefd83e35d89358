/// One fractional amount per budget kind: what a token bucket still holds of a charge while it
/// drains continuously. Reported whole, rounded up, so a drained amount never under-counts.
struct FractionalAmounts: Hashable, Sendable {
    private var values: (tokens: Double, input: Double, output: Double, requests: Double) = (0, 0, 0, 0)

    static let zero = FractionalAmounts()

    init() {}

    init(_ amounts: BudgetAmounts) {
        values = (Double(amounts.tokens), Double(amounts.input), Double(amounts.output), Double(amounts.requests))
    }

    subscript(kind: BudgetKind) -> Double {
        get {
            switch kind {
            case .tokens: values.tokens
            case .input: values.input
            case .output: values.output
            case .requests: values.requests
            }
        }
        set {
            let clamped = max(0, newValue)
            switch kind {
            case .tokens: values.tokens = clamped
            case .input: values.input = clamped
            case .output: values.output = clamped
            case .requests: values.requests = clamped
            }
        }
    }

    /// Whether every amount is (within rounding) gone.
    var isEmpty: Bool { BudgetKind.allCases.allSatisfy { self[$0] < Self.negligible } }

    /// Whole amounts, rounded up; an amount within `negligible` of a whole number is that number.
    var rounded: BudgetAmounts {
        var whole = BudgetAmounts.zero
        for kind in BudgetKind.allCases {
            let value = self[kind]
            let nearest = value.rounded()
            let exact = abs(value - nearest) < Self.negligible ? nearest : value.rounded(.up)
            whole[kind] = exact >= Double(TokenCount.maximum) ? TokenCount.maximum : Int64(exact)
        }
        return whole
    }

    /// Below this an amount counts as nothing (drain arithmetic in floating point).
    static let negligible = 1e-6

    static func + (lhs: FractionalAmounts, rhs: FractionalAmounts) -> FractionalAmounts {
        var sum = lhs
        for kind in BudgetKind.allCases { sum[kind] = lhs[kind] + rhs[kind] }
        return sum
    }

    static func += (lhs: inout FractionalAmounts, rhs: FractionalAmounts) { lhs = lhs + rhs }

    static func == (lhs: FractionalAmounts, rhs: FractionalAmounts) -> Bool {
        BudgetKind.allCases.allSatisfy { lhs[$0] == rhs[$0] }
    }

    func hash(into hasher: inout Hasher) {
        for kind in BudgetKind.allCases { hasher.combine(self[kind]) }
    }
}
