/// How a two-model fleet is limited in the pools race (`tokengate bench sim --pools`): the
/// provider limits each model class on its own; the daemon holds one limit or one per class.
public enum PoolArrangement: String, CaseIterable, Hashable, Sendable {
    /// One shared limit set to the smaller class's limit (safe for both, wasteful for the larger).
    case sharedSmaller = "shared-smaller"
    /// One shared limit set to the sum of both classes' limits (each class may take more than its own).
    case sharedSum = "shared-sum"
    /// Two pools, each with its own class's limit (`serve --pool`).
    case twoPools = "two-pools"

    /// A short human label.
    public var label: String {
        switch self {
        case .sharedSmaller: "one limit = smaller"
        case .sharedSum: "one limit = sum"
        case .twoPools: "two pools"
        }
    }
}

/// One of the two model classes of the pools race.
public enum ModelClass: Int, CaseIterable, Hashable, Sendable {
    /// The larger class, with the run's `--limit`, which most requests go to.
    case first = 0
    /// The smaller class, with its own smaller limit.
    case second = 1

    /// `A` or `B`, as the report prints it.
    public var name: String { self == .first ? "A" : "B" }
}
