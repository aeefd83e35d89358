/// How urgent an acquire is: `high` before `normal` before `low`, first come first served within
/// one priority. A waiter's place rises one priority for every `GateConfiguration.priorityAging`
/// it has waited, so a low acquire is never starved by higher demand.
public enum Priority: String, CaseIterable, Comparable, Hashable, Sendable, Codable {
    case high, normal, low

    /// 0 for `high`, 1 for `normal`, 2 for `low`: the lane a waiter queues in.
    public var rank: Int {
        switch self {
        case .high: 0
        case .normal: 1
        case .low: 2
        }
    }

    public static func < (lhs: Priority, rhs: Priority) -> Bool { lhs.rank < rhs.rank }
}
