/// The budgets a gate can limit, named as the contract names them. `tokens` is always configured;
/// the others only when given a limit. A provider limits each separately, and `throttled` may name
/// the one a 429 was about.
public enum BudgetKind: String, CaseIterable, Codable, Hashable, Sendable {
    /// input + output + cache_creation (+ cache_read when the gate is told to count it).
    case tokens
    /// Input tokens.
    case input
    /// Output tokens.
    case output
    /// Grants, plus reports that come without a ticket.
    case requests
}
