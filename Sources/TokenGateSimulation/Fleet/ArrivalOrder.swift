import TokenGateCore

/// How far a run's grants strayed from the order in which their acquires arrived, all times read on
/// one clock: a grant overtook when some acquire sent more than `slack` before it was answered
/// more than `slack` after it.
public enum ArrivalOrder {
    /// One acquire: when it was sent, when its answer came, and whether that answer was a grant (a
    /// timed-out acquire still waited until its answer, so it can be overtaken, but overtakes
    /// nothing).
    public struct Acquire: Sendable, Hashable {
        public var sent: TimeSpan
        public var answered: TimeSpan
        public var granted: Bool

        /// An acquire sent at `sent` and answered at `answered`.
        public init(sent: TimeSpan, answered: TimeSpan, granted: Bool = true) {
            self.sent = sent
            self.answered = answered
            self.granted = granted
        }
    }

    /// The grants that overtook an earlier arrival, in O(n log n): sorted by sending, a grant
    /// overtook when the latest answer among the acquires sent more than `slack` before it comes
    /// more than `slack` after its own.
    public static func overtakingGrants(_ acquires: [Acquire], slack: TimeSpan = .milliseconds(2)) -> Int {
        let bySending = acquires.sorted { $0.sent < $1.sent }
        var earlier = 0
        var latestEarlierAnswer: TimeSpan?
        var overtaking = 0
        for acquire in bySending {
            while earlier < bySending.count, bySending[earlier].sent + slack < acquire.sent {
                latestEarlierAnswer = max(latestEarlierAnswer ?? bySending[earlier].answered, bySending[earlier].answered)
                earlier += 1
            }
            if acquire.granted, let latest = latestEarlierAnswer, latest > acquire.answered + slack {
                overtaking += 1
            }
        }
        return overtaking
    }

    /// ``overtakingGrants(_:slack:)`` over the grants among `acquires` (0 without grants).
    public static func overtakenShare(_ acquires: [Acquire], slack: TimeSpan = .milliseconds(2)) -> Double {
        let grants = acquires.count(where: \.granted)
        guard grants > 0 else { return 0 }
        return Double(overtakingGrants(acquires, slack: slack)) / Double(grants)
    }
}
