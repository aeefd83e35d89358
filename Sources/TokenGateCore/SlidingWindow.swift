import DequeModule

/// Consumption over a sliding window, coalesced into fixed time slots so that memory stays bounded
/// whatever the report rate.
///
/// Usage recorded at `t` lands in the slot covering `t`. A slot leaves the window when its *latest*
/// record does, at `latest + length`, so nothing ever leaves early: a lone record counts exactly
/// until `t + length`, and a record sharing a slot with later ones counts at most one slot width
/// longer. Slots stay in time order, so at most `slotsPerWindow + 2` slots are ever alive.
public struct SlidingWindow: Sendable {
    struct Slot: Sendable {
        var index: Int64
        var latest: Instant
        var amounts: BudgetAmounts
    }

    /// How long a record counts.
    public let length: TimeSpan
    /// The width of one coalescing slot: `length / slotsPerWindow`, at least 1 ns.
    public let slotWidth: TimeSpan
    private var slots: Deque<Slot> = []
    private var runningTotal: BudgetAmounts = .zero

    /// A window of `length` (more than zero) coalesced into `slotsPerWindow` slots.
    public init(length: TimeSpan, slotsPerWindow: Int = 1000) {
        precondition(length.nanoseconds > 0, "a window needs a positive length")
        precondition(slotsPerWindow > 0, "a window needs at least one slot")
        self.length = length
        self.slotWidth = TimeSpan(nanoseconds: max(1, length.nanoseconds / Int64(slotsPerWindow)))
    }

    /// The live slots; bounded by `slotsPerWindow + 2`.
    public var slotCount: Int { slots.count }

    /// The sum of the live records as of the last `record` or `expire`.
    public var total: BudgetAmounts { runningTotal }

    /// Whether nothing is recorded any more.
    public var isEmpty: Bool { slots.isEmpty }

    /// Records `amounts` consumed at `instant`, as of `now` (`instant` may lie in the past: a
    /// report counts from the instant its request was granted). A record counts until exactly
    /// `instant + length`; one that has already left the window by `now` adds nothing.
    public mutating func record(_ amounts: BudgetAmounts, at instant: Instant, now: Instant) {
        expire(at: now)
        guard !amounts.isZero, instant + length > now else { return }
        let index = instant.nanoseconds / slotWidth.nanoseconds
        if let last = slots.last, index <= last.index {
            let position = slotPosition(forIndex: index)
            if position < slots.count, slots[position].index == index {
                slots[position].latest = max(slots[position].latest, instant)
                slots[position].amounts += amounts
            } else {
                slots.insert(Slot(index: index, latest: instant, amounts: amounts), at: position)
            }
        } else {
            slots.append(Slot(index: index, latest: instant, amounts: amounts))
        }
        runningTotal += amounts
    }

    /// Records `amounts` consumed at `now`.
    public mutating func record(_ amounts: BudgetAmounts, at now: Instant) {
        record(amounts, at: now, now: now)
    }

    /// Takes back up to `amounts` recorded at `instant` (a reservation released or replaced by its
    /// report): only from the slot that holds `instant`, and nothing once that slot has left the
    /// window. Returns what was taken back.
    @discardableResult
    public mutating func remove(_ amounts: BudgetAmounts, at instant: Instant, now: Instant) -> BudgetAmounts {
        expire(at: now)
        guard !amounts.isZero, let last = slots.last else { return .zero }
        let index = instant.nanoseconds / slotWidth.nanoseconds
        guard index <= last.index else { return .zero }
        let position = slotPosition(forIndex: index)
        guard position < slots.count, slots[position].index == index else { return .zero }
        let before = slots[position].amounts
        slots[position].amounts -= amounts
        let taken = before - slots[position].amounts
        if runningTotal.isSaturated {
            runningTotal = slots.reduce(.zero) { $0 + $1.amounts }
        } else {
            runningTotal -= taken
        }
        if slots[position].amounts.isZero { slots.remove(at: position) }
        return taken
    }

    /// The sum of the slots whose latest record is after `instant`.
    public func total(recordedAfter instant: Instant) -> BudgetAmounts {
        var sum = BudgetAmounts.zero
        for slot in slots.reversed() {
            guard slot.latest > instant else { break }
            sum += slot.amounts
        }
        return sum
    }

    /// The position of the first slot whose index is not below `index` (binary search).
    private func slotPosition(forIndex index: Int64) -> Int {
        var low = 0
        var high = slots.count
        while low < high {
            let middle = (low + high) / 2
            if slots[middle].index < index { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// Drops the slots whose latest record is `length` or more in the past.
    public mutating func expire(at now: Instant) {
        var mustRecount = false
        while let first = slots.first, first.latest + length <= now {
            slots.removeFirst()
            if runningTotal.isSaturated { mustRecount = true } else { runningTotal -= first.amounts }
        }
        if mustRecount { runningTotal = slots.reduce(.zero) { $0 + $1.amounts } }
        if slots.isEmpty { runningTotal = .zero }
    }

    /// The sum as of `now` without changing the window.
    public func total(at now: Instant) -> BudgetAmounts {
        var copy = self
        copy.expire(at: now)
        return copy.total
    }

    /// The earliest instant at which `total[kind]` will be at most `allowed` if nothing more is
    /// recorded: `nil` when it already is.
    public func instant(whenAtMost allowed: Int64, of kind: BudgetKind) -> Instant? {
        var remaining = runningTotal[kind]
        guard remaining > allowed else { return nil }
        for slot in slots {
            remaining -= min(remaining, slot.amounts[kind])
            if remaining <= allowed { return slot.latest + length }
        }
        return slots.last.map { $0.latest + length }
    }

    /// When each live slot leaves the window and what it holds of `kind`, earliest first.
    func departures(of kind: BudgetKind) -> [(at: Instant, amount: Int64)] {
        slots.map { ($0.latest + length, $0.amounts[kind]) }
    }

    /// When the last record leaves the window: `nil` when the window is already empty.
    public var emptiesAt: Instant? { slots.last.map { $0.latest + length } }
}
