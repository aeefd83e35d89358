/// Addition to contract v2: the daemon's recent throughput, computed over the last window from the
/// operations it served, `{"tokens_per_min", "grants_per_s", "wait_p99_ms"?, "throttles_in_window"}`.
public struct RatesStatus: Codable, Sendable, Equatable {
    /// Tokens reported in the last window (as the `tokens` budget counts them), per minute.
    public var tokensPerMin: Int64
    /// Grants in the last window, per second.
    public var grantsPerS: Double
    /// The 99th percentile of the queueing time of the last window's grants, rounded up to the
    /// daemon's histogram step (at most 12 % above the true figure); absent when there were none.
    public var waitP99Ms: Int64?
    /// Provider 429s (`throttled`, or `retry-after` in observed headers) in the last window.
    public var throttlesInWindow: Int64

    public init(tokensPerMin: Int64, grantsPerS: Double, waitP99Ms: Int64?, throttlesInWindow: Int64) {
        self.tokensPerMin = tokensPerMin
        self.grantsPerS = grantsPerS
        self.waitP99Ms = waitP99Ms
        self.throttlesInWindow = throttlesInWindow
    }

    enum CodingKeys: String, CodingKey {
        case tokensPerMin = "tokens_per_min"
        case grantsPerS = "grants_per_s"
        case waitP99Ms = "wait_p99_ms"
        case throttlesInWindow = "throttles_in_window"
    }
}
