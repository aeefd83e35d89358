/// The budgets a gate can limit. `tokens` is always configured; the others only when given a limit.
public enum BudgetKind: String, CaseIterable, Hashable, Sendable {
    /// input + output + cache_creation (+ cache_read when the gate is told to count it).
    case tokens
    case input
    case output
    /// Grants, plus reports that come without a ticket.
    case requests
}
