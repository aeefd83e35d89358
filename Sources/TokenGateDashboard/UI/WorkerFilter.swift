import TokenGateWire

/// The worker table's name filter (`/`): a substring matched in any case. Pure.
public enum WorkerFilter {
    /// The longest filter the input line takes.
    public static let maximumLength = 64

    /// The workers whose name contains `filter` (ignoring case); all of them for an empty filter.
    public static func apply(_ filter: String, to workers: [WorkerStatus]) -> [WorkerStatus] {
        guard !filter.isEmpty else { return workers }
        let needle = filter.lowercased()
        return workers.filter { $0.worker.lowercased().contains(needle) }
    }
}
