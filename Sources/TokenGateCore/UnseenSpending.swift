/// Spending the provider reported and the timeline cannot see, in one budget: a firm part, and the
/// readings of the last send margin.
///
/// A reading compares the provider's figure with the timeline's, leaving out the grants of the
/// last send margin (they may not have reached the provider yet). Some of them may have, though, so
/// the reading's difference is an upper bound of the unseen spending, and the difference less their
/// reservations a lower bound. The lower bound is firm: it fades to the provider's reset, and a newer
/// reading never lowers it faster. The upper bound counts only until a reading taken a send margin
/// later, which has those grants on its timeline, takes over: counting it for longer would count the
/// fleet's own grants twice (on the timeline, and as unseen) for as long as the reading fades, which
/// on a hard window is about one window.
struct UnseenSpending: Sendable {
    /// The lower bounds of the readings, as one fading figure (negative: the timeline counted more
    /// than the provider, kept for `correct`).
    private(set) var firm: ExternalUsage?
    /// The upper bounds of the readings of the last send margin, oldest first; none is dominated by
    /// a later one, and there are at most `recentCapacity`.
    private(set) var recent: [ExternalUsage] = []

    /// The most upper bounds kept; beyond it the two oldest merge into one that counts as both.
    static let recentCapacity = 16

    var isEmpty: Bool { firm == nil && recent.isEmpty }

    /// The unseen amount counting at `now`: the larger of the firm figure and the recent readings.
    func amount(at now: Instant) -> Int64 {
        recent.reduce(firm?.amount(at: now) ?? 0) { max($0, $1.amount(at: now)) }
    }

    /// The earliest instant at which the amount is at most `allowed` if no reading comes in between.
    func instant(whenAtMost allowed: Int64) -> Instant? {
        recent.reduce(firm?.instant(whenAtMost: allowed)) { latest, reading in
            guard let instant = reading.instant(whenAtMost: allowed) else { return latest }
            return latest.map { max($0, instant) } ?? instant
        }
    }

    /// Takes in a reading at `now` whose difference to the timeline is `upper` with the grants of
    /// the last send margin left out and `lower` with them in, fading out at `fadesOutAt` (after
    /// `now`). Differences up to `rounding` count nothing.
    mutating func take(upper: Int64, lower: Int64, now: Instant, fadesOutAt: Instant, sendMargin: TimeSpan, rounding: Int64) {
        // A newer reading never lowers the firm figure below what the older one still counts:
        // measured in `bench sim --workload shared`, replacing it instead doubled the fleet's 429s.
        let firmUnseen = max(lower, firm?.amount(at: now) ?? .min)
        if firmUnseen > rounding {
            firm = ExternalUsage(amount: firmUnseen, observedAt: now, fadesOutAt: fadesOutAt)
        } else {
            // Keep a negative difference: later reports of the tickets out now may correct it.
            firm = firmUnseen < 0 ? ExternalUsage(amount: firmUnseen, observedAt: now, fadesOutAt: fadesOutAt) : nil
        }
        // This reading has on its timeline every grant of those a send margin or more older.
        recent.removeAll { $0.observedAt + sendMargin <= now || $0.fadesOutAt <= now }
        guard upper > rounding, upper > (firm?.amount(at: now) ?? 0) else { return }
        let reading = ExternalUsage(amount: upper, observedAt: now, fadesOutAt: fadesOutAt)
        recent.removeAll { reading.amount >= $0.amount(at: now) && reading.fadesOutAt >= $0.fadesOutAt }
        recent.append(reading)
        if recent.count > Self.recentCapacity { mergeOldest() }
    }

    /// A ticket granted at `grantedAt` reported `excess` more than it reserved: every reading
    /// taken a send margin or more after its grant held the excess, which the timeline now holds.
    mutating func correct(grantedAt: Instant, excess: Int64, sendMargin: TimeSpan) {
        guard excess > 0 else { return }
        func corrected(_ reading: ExternalUsage) -> ExternalUsage {
            guard grantedAt + sendMargin <= reading.observedAt else { return reading }
            var reading = reading
            reading.amount -= min(excess, max(0, reading.amount))
            return reading
        }
        firm = firm.map(corrected)
        recent = recent.map(corrected)
    }

    /// Forgets what has faded out at `now`.
    mutating func dropFaded(now: Instant) {
        if let firm, firm.fadesOutAt <= now { self.firm = nil }
        recent.removeAll { $0.fadesOutAt <= now }
    }

    /// The two oldest upper bounds become one that counts at least as much as either at every
    /// instant from the later one's reading on, and as long as the later one (bounded memory).
    private mutating func mergeOldest() {
        let older = recent.removeFirst()
        let later = recent[0]
        recent[0] = ExternalUsage(
            amount: max(older.amount(at: later.observedAt), later.amount), observedAt: later.observedAt,
            fadesOutAt: max(older.fadesOutAt, later.fadesOutAt)
        )
    }
}
