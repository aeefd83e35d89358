/// Which model the simulated provider enforces its limit with.
public enum ProviderModel: String, CaseIterable, Hashable, Sendable {
    /// `SlidingWindowProvider`: the tokens sent in any window never exceed the limit.
    case window
    /// `TokenBucketProvider`: a bucket of `limit` tokens refilled continuously at limit per window.
    case bucket

    /// One line for a report's heading.
    public var summary: String {
        switch self {
        case .window:
            "hard sliding window: the tokens of the requests sent in any window never exceed the limit"
        case .bucket:
            "token bucket: capacity = limit, refilled continuously at limit per window, starts full"
        }
    }
}
