import DequeModule

/// The token-bucket timeline: a bucket of `capacity` per budget that drains what was charged at
/// `capacity` per window, continuously, as Anthropic's and OpenAI's documented limits refill.
///
/// Charges drain in the order they were placed (first in, first out). A grant placed at `g` may
/// reach the provider as late as `g + sendMargin`, so it counts whole from `g` and starts to drain
/// only from `g + sendMargin`: the bucket's deficit is then never below the provider's, whenever in
/// the margin each request arrived (moving an arrival later can only raise the deficit, by at
/// most what has not yet drained). A report or release that lowers a charge takes back no more
/// than that charge's slot still holds, which keeps the deficit an upper bound too.
///
/// Charges are coalesced into slots `slotWidth` wide (memory stays bounded whatever the rate); a
/// slot drains from its latest charge's start.
struct BucketTimeline: Sendable {
    struct Slot: Sendable {
        var index: Int64
        /// When the slot starts to drain: its latest placement plus the send margin.
        var start: Instant
        var used: FractionalAmounts
        var reserved: FractionalAmounts
        var isEmpty: Bool { used.isEmpty && reserved.isEmpty }
    }

    let window: TimeSpan
    let sendMargin: TimeSpan
    let slotWidth: TimeSpan
    private(set) var slots: Deque<Slot> = []
    /// Drained up to here.
    private var clock = Instant(nanoseconds: .min)
    private(set) var usedTotal = FractionalAmounts.zero
    private(set) var reservedTotal = FractionalAmounts.zero

    init(window: TimeSpan, sendMargin: TimeSpan, slotsPerWindow: Int) {
        self.window = window
        self.sendMargin = sendMargin
        self.slotWidth = TimeSpan(nanoseconds: max(1, (window + sendMargin).nanoseconds / Int64(max(1, slotsPerWindow))))
    }

    // MARK: Placing and taking back

    /// Adds `used` and `reserved` at `place` (drained from `place + sendMargin`).
    mutating func add(used: BudgetAmounts, reserved: BudgetAmounts, at place: Instant) {
        guard !used.isZero || !reserved.isZero else { return }
        let position = slotPositionCreating(for: place)
        slots[position].start = max(slots[position].start, place + sendMargin)
        slots[position].used += FractionalAmounts(used)
        slots[position].reserved += FractionalAmounts(reserved)
        usedTotal += FractionalAmounts(used)
        reservedTotal += FractionalAmounts(reserved)
    }

    /// Replaces a reservation placed at `place` by what it really cost. What the slot no longer
    /// holds of the reservation has drained; the real cost counts only beyond that part, and a cost
    /// above the reservation counts in full (at `lateAt` when the slot is gone). A release is a
    /// cost of zero; a lease that ran out, a cost equal to the reservation.
    mutating func settle(reserved: BudgetAmounts, actual: BudgetAmounts, at place: Instant, lateAt: Instant) {
        var late = BudgetAmounts.zero
        let position = slotPosition(for: place)
        for kind in BudgetKind.allCases {
            let held = position.map { min(Double(reserved[kind]), slots[$0].reserved[kind]) } ?? 0
            let drained = Double(reserved[kind]) - held
            let counts = max(0, Double(actual[kind]) - drained)
            if let position {
                slots[position].reserved[kind] -= held
                slots[position].used[kind] += counts
                reservedTotal[kind] -= held
                usedTotal[kind] += counts
            } else {
                late[kind] = Int64(counts.rounded(.up))
            }
        }
        if let position, slots[position].isEmpty { slots.remove(at: position) }
        if !late.isZero { add(used: late, reserved: .zero, at: lateAt - sendMargin) }
        recountIfEmpty()
    }

    // MARK: Time

    /// Drains the bucket up to `now` at `rates` (amount per nanosecond per budget; a budget
    /// without a rate is not limited and keeps nothing).
    mutating func drain(to now: Instant, rates: [BudgetKind: Double]) {
        guard now > clock else { return }
        defer { clock = now }
        guard !slots.isEmpty else { return }
        for kind in BudgetKind.allCases {
            guard let rate = rates[kind], rate > 0 else {
                for position in slots.indices {
                    slots[position].used[kind] = 0
                    slots[position].reserved[kind] = 0
                }
                usedTotal[kind] = 0
                reservedTotal[kind] = 0
                continue
            }
            var time = clock
            var position = slots.startIndex
            while position < slots.endIndex, time < now {
                let start = slots[position].start
                if start >= now { break }
                let held = slots[position].used[kind] + slots[position].reserved[kind]
                guard held >= FractionalAmounts.negligible else {
                    position += 1
                    continue
                }
                time = max(time, start)
                let drainable = rate * Double((now - time).nanoseconds)
                let drained = min(held, drainable)
                take(drained, of: kind, from: position)
                if drained < held { break }
                time = time + TimeSpan(nanoseconds: Int64((held / rate).rounded(.up)))
                position += 1
            }
        }
        slots.removeAll { $0.isEmpty }
        recountIfEmpty()
    }

    /// The earliest instant at which used + reserved of `kind` will be at most `allowed` if
    /// nothing more is placed: nil when it already is (or the budget has no rate).
    func instant(whenAtMost allowed: Int64, of kind: BudgetKind, rate: Double?) -> Instant? {
        var remaining = usedTotal[kind] + reservedTotal[kind]
        guard remaining > Double(allowed) + FractionalAmounts.negligible, let rate, rate > 0 else { return nil }
        var time = clock
        for slot in slots {
            let held = slot.used[kind] + slot.reserved[kind]
            guard held >= FractionalAmounts.negligible else { continue }
            time = max(time, slot.start)
            if remaining - held <= Double(allowed) {
                let wait = (remaining - Double(allowed)) / rate
                return time + TimeSpan(nanoseconds: Int64(wait.rounded(.up)))
            }
            remaining -= held
            time = time + TimeSpan(nanoseconds: Int64((held / rate).rounded(.up)))
        }
        return time
    }

    /// Reservations placed less than a send margin before `now`: requests that may not have
    /// reached the provider yet.
    func reservedInMargin(now: Instant) -> BudgetAmounts {
        var sum = FractionalAmounts.zero
        for slot in slots.reversed() {
            guard slot.start > now else { break }
            sum += slot.reserved
        }
        return sum.rounded
    }

    // MARK: Internals

    /// Drains `amount` of `kind` from one slot, used first.
    private mutating func take(_ amount: Double, of kind: BudgetKind, from position: Int) {
        let fromUsed = min(amount, slots[position].used[kind])
        slots[position].used[kind] -= fromUsed
        usedTotal[kind] -= fromUsed
        let fromReserved = min(amount - fromUsed, slots[position].reserved[kind])
        slots[position].reserved[kind] -= fromReserved
        reservedTotal[kind] -= fromReserved
    }

    /// The position of the slot covering `place`, or where it would go (binary search).
    private func searchPosition(for place: Instant) -> (position: Int, index: Int64, found: Bool) {
        let index = place.nanoseconds / slotWidth.nanoseconds
        var low = 0
        var high = slots.count
        while low < high {
            let middle = (low + high) / 2
            if slots[middle].index < index { low = middle + 1 } else { high = middle }
        }
        return (low, index, low < slots.count && slots[low].index == index)
    }

    /// The slot covering `place`, if it is still held.
    private func slotPosition(for place: Instant) -> Int? {
        let search = searchPosition(for: place)
        return search.found ? search.position : nil
    }

    /// The slot covering `place`, created in order when there is none.
    private mutating func slotPositionCreating(for place: Instant) -> Int {
        let search = searchPosition(for: place)
        if !search.found {
            slots.insert(Slot(index: search.index, start: place + sendMargin, used: .zero, reserved: .zero), at: search.position)
        }
        return search.position
    }

    private mutating func recountIfEmpty() {
        if slots.isEmpty {
            usedTotal = .zero
            reservedTotal = .zero
        }
    }
}
