/// A limit or threshold change as the journal keeps it (an action of kind `limit`), with the
/// starting configuration in force when it was made, so that a restart can tell whether the
/// operator changed the daemon's starting values since.
///
/// Its detail text reads `limit=500000 threshold=0.9 start_limit=1800000 start_threshold=0.9`;
/// older entries (`limit=500000 threshold=0.9`, `limit=500000 (provider)`) have no start values.
public struct JournalLimitChange: Sendable, Equatable {
    /// The tokens limit the change set.
    public var limit: Int64?
    /// The threshold the change set.
    public var threshold: Double?
    /// The tokens limit the daemon was started with when the change was made.
    public var startLimit: Int64?
    /// The threshold the daemon was started with when the change was made.
    public var startThreshold: Double?

    public init(limit: Int64?, threshold: Double?, startLimit: Int64?, startThreshold: Double?) {
        self.limit = limit
        self.threshold = threshold
        self.startLimit = startLimit
        self.startThreshold = startThreshold
    }

    /// Reads a `limit` action's detail; nil when it names neither a limit nor a threshold.
    public init?(detail: String) {
        var fields: [Substring: Substring] = [:]
        for word in detail.split(separator: " ") {
            let parts = word.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { fields[parts[0]] = parts[1] }
        }
        limit = fields["limit"].flatMap { Int64($0) }
        threshold = fields["threshold"].flatMap { Double($0) }
        startLimit = fields["start_limit"].flatMap { Int64($0) }
        startThreshold = fields["start_threshold"].flatMap { Double($0) }
        if limit == nil, threshold == nil { return nil }
    }

    /// The detail text the journal keeps.
    public var detail: String {
        var words: [String] = []
        if let limit { words.append("limit=\(limit)") }
        if let threshold { words.append("threshold=\(threshold)") }
        if let startLimit { words.append("start_limit=\(startLimit)") }
        if let startThreshold { words.append("start_threshold=\(startThreshold)") }
        return words.joined(separator: " ")
    }

    /// Whether a daemon started with `limit` and `threshold` takes this change back: it does
    /// unless its starting values differ from those the change was made under (the operator then
    /// chose new ones, which win). An entry without start values is taken back.
    public func applies(toStartLimit limit: Int64?, threshold: Double) -> Bool {
        if let startLimit, startLimit != limit { return false }
        if let startThreshold, startThreshold != threshold { return false }
        return true
    }
}
