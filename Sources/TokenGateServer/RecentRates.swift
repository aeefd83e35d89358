import TokenGateCore
import TokenGateWire

/// The daemon's throughput over the last window, for `rates` in status: tokens reported, grants
/// with their waits, and provider 429s, counted in a fixed ring of slots of 1/60 of the window.
///
/// Recording is O(1) and allocates nothing (the ring is allocated once); reading sums the ring,
/// a few thousand additions, once per snapshot built.
struct RecentRates {
    /// Slots per window: the window is covered to 1/60 of its length.
    static let slotsPerWindow = 60

    let window: TimeSpan
    let slotLength: TimeSpan
    let startedAt: Instant
    /// The absolute slot number each ring position holds (`Int64.min` when unused).
    private var slotNumbers: [Int64]
    private var tokens: [Int64]
    private var grants: [Int64]
    private var throttles: [Int64]
    private var longestWait: [Int64]
    /// `slotsPerWindow` rows of `WaitSteps.count` counts.
    private var waitCounts: [Int64]

    init(window: TimeSpan, startedAt: Instant) {
        let slots = Self.slotsPerWindow
        self.window = window
        self.slotLength = TimeSpan(nanoseconds: max(1_000_000, window.nanoseconds / Int64(slots)))
        self.startedAt = startedAt
        slotNumbers = Array(repeating: .min, count: slots)
        tokens = Array(repeating: 0, count: slots)
        grants = Array(repeating: 0, count: slots)
        throttles = Array(repeating: 0, count: slots)
        longestWait = Array(repeating: 0, count: slots)
        waitCounts = Array(repeating: 0, count: slots * WaitSteps.count)
    }

    /// An acquire was granted at `now` after waiting `waitedMs`.
    mutating func granted(waitedMs: Int64, at now: Instant) {
        let position = slot(at: now)
        grants[position] += 1
        longestWait[position] = max(longestWait[position], waitedMs)
        waitCounts[position * WaitSteps.count + WaitSteps.bucket(ofMilliseconds: waitedMs)] += 1
    }

    /// A report counted `amount` tokens (as the `tokens` budget counts them) at `now`.
    mutating func reported(tokens amount: Int64, at now: Instant) {
        let position = slot(at: now)
        tokens[position] = tokens[position].addingSaturating(amount)
    }

    /// The provider said 429 at `now`.
    mutating func throttled(at now: Instant) {
        throttles[slot(at: now)] += 1
    }

    /// The rates over the last window as of `now` (over the time since the start while the daemon
    /// is younger than a window).
    func rates(at now: Instant) -> RatesStatus {
        let current = slotNumber(of: now)
        var tokenSum: Int64 = 0
        var grantSum: Int64 = 0
        var throttleSum: Int64 = 0
        var longest: Int64 = 0
        var waits = [Int64](repeating: 0, count: WaitSteps.count)
        for position in slotNumbers.indices {
            let number = slotNumbers[position]
            guard number <= current, number > current - Int64(Self.slotsPerWindow) else { continue }
            tokenSum = tokenSum.addingSaturating(tokens[position])
            grantSum += grants[position]
            throttleSum += throttles[position]
            longest = max(longest, longestWait[position])
            for bucket in 0..<WaitSteps.count { waits[bucket] += waitCounts[position * WaitSteps.count + bucket] }
        }
        let span = max(min(window, now - startedAt), slotLength).seconds
        return RatesStatus(
            tokensPerMin: Int64((Double(tokenSum) * 60 / span).rounded()),
            grantsPerS: (Double(grantSum) / span * 100).rounded() / 100,
            waitP99Ms: Self.percentile99(of: waits, total: grantSum, longest: longest),
            throttlesInWindow: throttleSum
        )
    }

    /// The step at or above the 99th percentile of the waits counted, never above the longest.
    static func percentile99(of counts: [Int64], total: Int64, longest: Int64) -> Int64? {
        guard total > 0 else { return nil }
        // The smallest bucket below which at least 99 % of the waits fall.
        let rank = (total * 99 + 99) / 100
        var seen: Int64 = 0
        for (bucket, count) in counts.enumerated() {
            seen += count
            if seen >= rank {
                return bucket < WaitSteps.bounds.count ? min(WaitSteps.bounds[bucket], longest) : longest
            }
        }
        return longest
    }

    private func slotNumber(of instant: Instant) -> Int64 {
        (instant - startedAt).nanoseconds / slotLength.nanoseconds
    }

    /// The ring position of `now`'s slot, emptied first when it still holds an older slot.
    private mutating func slot(at now: Instant) -> Int {
        let number = max(0, slotNumber(of: now))
        let position = Int(number % Int64(Self.slotsPerWindow))
        if slotNumbers[position] != number {
            slotNumbers[position] = number
            tokens[position] = 0
            grants[position] = 0
            throttles[position] = 0
            longestWait[position] = 0
            let row = position * WaitSteps.count
            for bucket in row..<(row + WaitSteps.count) { waitCounts[bucket] = 0 }
        }
        return position
    }
}
