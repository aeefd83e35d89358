import TokenGateCore
import TokenGateWire

extension BudgetKind {
    /// The core's budget for a wire budget name.
    init(_ name: BudgetName) {
        switch name {
        case .tokens: self = .tokens
        case .input: self = .input
        case .output: self = .output
        case .requests: self = .requests
        }
    }
}
