import TokenGateCore

/// The most tokens a provider accepted within any window: the charges of some `[t, t + window)`,
/// as ``SlidingWindowProvider`` counts them.
public enum BusiestWindow {
    /// The largest sum of `charges` (in any order) whose instants lie within one window length.
    public static func mostTokens(_ charges: [(at: TimeSpan, tokens: Int64)], window: TimeSpan) -> Int64 {
        let byTime = charges.sorted { $0.at < $1.at }
        var first = 0
        var inWindow: Int64 = 0
        var most: Int64 = 0
        for charge in byTime {
            inWindow += charge.tokens
            while byTime[first].at + window <= charge.at {
                inWindow -= byTime[first].tokens
                first += 1
            }
            most = max(most, inWindow)
        }
        return most
    }
}
