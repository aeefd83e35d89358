/// How the gate models the provider's limit over time (`serve --algorithm`).
public enum AccountingAlgorithm: String, CaseIterable, Hashable, Sendable {
    /// A hard sliding window: everything placed on the timeline counts for one window (plus the
    /// send margin for grants), then leaves whole.
    case slidingWindow = "sliding-window"
    /// A token bucket of threshold x limit, refilled continuously at threshold x limit per window,
    /// as Anthropic and OpenAI document their limits: capacity comes back gradually.
    case tokenBucket = "token-bucket"
}
