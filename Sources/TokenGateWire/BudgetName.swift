/// The budgets a provider limits separately; `throttled` may name the one a 429 was about.
public enum BudgetName: String, Sendable, Hashable, CaseIterable, Codable {
    /// Input + output + cache-creation tokens.
    case tokens
    /// Input tokens.
    case input
    /// Output tokens.
    case output
    /// Requests (grants and ticketless reports).
    case requests
}
