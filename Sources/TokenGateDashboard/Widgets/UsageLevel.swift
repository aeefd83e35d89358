/// How close usage is to the threshold: green, yellow or red, and always a word as well.
public enum UsageLevel: Sendable, Equatable {
    /// Below 75 % of the threshold.
    case ok
    /// From 75 % up to the threshold.
    case near
    /// At or over the threshold: new grants wait.
    case full

    /// The share of the threshold from which usage counts as near.
    public static let nearFraction = 0.75

    /// The level of `value` against `limit` x `threshold`.
    public init(value: Int64, limit: Int64, threshold: Double) {
        let ceiling = Double(limit) * threshold
        guard ceiling > 0 else {
            self = value > 0 ? .full : .ok
            return
        }
        let fraction = Double(value) / ceiling
        if fraction >= 1 {
            self = .full
        } else if fraction >= UsageLevel.nearFraction {
            self = .near
        } else {
            self = .ok
        }
    }

    public var role: ColorRole {
        switch self {
        case .ok: .good
        case .near: .warn
        case .full: .bad
        }
    }

    /// The word shown next to a gauge, 4 columns.
    public var word: String {
        switch self {
        case .ok: "ok"
        case .near: "NEAR"
        case .full: "FULL"
        }
    }

    /// The style of the word: plain when ok, bold when near, reversed when full.
    public var wordStyle: CellStyle {
        switch self {
        case .ok: CellStyle(.good)
        case .near: CellStyle(.warn, bold: true)
        case .full: CellStyle(.bad, bold: true, reverse: true)
        }
    }
}
