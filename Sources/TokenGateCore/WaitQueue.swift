import DequeModule

/// The queued acquires: one first-come-first-served lane per priority.
///
/// A waiter's place in the order is (effective rank, enqueue instant, id), its effective rank
/// being its priority's rank lowered by one for every `aging` it has waited (never below 0). A
/// lane's waiters share one priority and are in arrival order, so the first waiter of a lane that
/// is not passed over is the best of its lane.
struct WaitQueue: Sendable {
    private var lanes: [Deque<Waiter>] = Array(repeating: [], count: Priority.allCases.count)
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }

    /// Queues `waiter` at the end of its priority's lane.
    mutating func append(_ waiter: Waiter) {
        lanes[waiter.priority.rank].append(waiter)
        count += 1
    }

    /// Every waiter, lane by lane (high first), each lane in arrival order.
    var all: FlattenSequence<[Deque<Waiter>]> { lanes.joined() }

    /// The waiter that queued first, whatever its priority.
    var oldest: Waiter? {
        lanes.compactMap(\.first).min { ($0.enqueuedAt, $0.id.rawValue) < ($1.enqueuedAt, $1.id.rawValue) }
    }

    /// The number of waiters of `priority`.
    func count(of priority: Priority) -> Int { lanes[priority.rank].count }

    /// Removes the waiter `id`; nil when it is not queued.
    mutating func remove(_ id: WaiterID) -> Waiter? {
        for lane in lanes.indices {
            guard let index = lanes[lane].firstIndex(where: { $0.id == id }) else { continue }
            count -= 1
            return lanes[lane].remove(at: index)
        }
        return nil
    }

    /// Removes and returns every waiter matching `predicate`.
    mutating func removeAll(where predicate: (Waiter) -> Bool) -> [Waiter] {
        var removed: [Waiter] = []
        for lane in lanes.indices {
            removed += lanes[lane].filter(predicate)
            lanes[lane].removeAll(where: predicate)
        }
        count -= removed.count
        return removed
    }

    /// The waiter first in order as of `now` among those `isCandidate` accepts, with its lane
    /// position; the others are passed over and keep their place.
    func best(now: Instant, aging: TimeSpan, where isCandidate: (Waiter) -> Bool) -> Position? {
        var best: (position: Position, key: OrderKey)?
        for lane in lanes.indices {
            guard let index = lanes[lane].firstIndex(where: isCandidate) else { continue }
            let key = OrderKey(lanes[lane][index], now: now, aging: aging)
            if best.map({ key < $0.key }) ?? true { best = (Position(lane: lane, index: index), key) }
        }
        return best?.position
    }

    /// Where a waiter sits.
    struct Position: Sendable {
        let lane: Int
        let index: Int
    }

    subscript(position: Position) -> Waiter {
        get { lanes[position.lane][position.index] }
        set { lanes[position.lane][position.index] = newValue }
    }

    /// Removes the waiter at `position`.
    mutating func remove(at position: Position) -> Waiter {
        count -= 1
        return lanes[position.lane].remove(at: position.index)
    }

    /// Lets `body` change each lane in place (the seed policy's re-check rounds).
    mutating func forEachLane(_ body: (inout Deque<Waiter>) -> Void) {
        for lane in lanes.indices {
            let before = lanes[lane].count
            body(&lanes[lane])
            count += lanes[lane].count - before
        }
    }

    /// The earliest instant after `now` at which a lane's first candidate, other than the best,
    /// rises one rank (it may then overtake the best); nil when none can.
    func nextPromotion(now: Instant, aging: TimeSpan, where isCandidate: (Waiter) -> Bool) -> Instant? {
        guard aging.nanoseconds > 0, let best = best(now: now, aging: aging, where: isCandidate) else { return nil }
        var earliest: Instant?
        for lane in lanes.indices where lane > 0 && lane != best.lane {
            guard let waiter = lanes[lane].first(where: isCandidate) else { continue }
            let steps = (now - waiter.enqueuedAt).nanoseconds / aging.nanoseconds
            guard steps < Int64(lane) else { continue }
            let next = waiter.enqueuedAt + aging * (steps + 1)
            if next > now, earliest.map({ next < $0 }) ?? true { earliest = next }
        }
        return earliest
    }
}

/// A waiter's place in the order of the queue.
struct OrderKey: Comparable, Sendable {
    let rank: Int
    let enqueuedAt: Instant
    let id: UInt64

    init(_ waiter: Waiter, now: Instant, aging: TimeSpan) {
        rank = waiter.effectiveRank(now: now, aging: aging)
        enqueuedAt = waiter.enqueuedAt
        id = waiter.id.rawValue
    }

    static func < (lhs: OrderKey, rhs: OrderKey) -> Bool {
        (lhs.rank, lhs.enqueuedAt, lhs.id) < (rhs.rank, rhs.enqueuedAt, rhs.id)
    }
}

extension Waiter {
    /// Its priority's rank, lowered by one for every `aging` waited, at least 0.
    func effectiveRank(now: Instant, aging: TimeSpan) -> Int {
        guard aging.nanoseconds > 0 else { return priority.rank }
        let steps = max(0, (now - enqueuedAt).nanoseconds / aging.nanoseconds)
        return max(0, priority.rank - Int(min(steps, Int64(Priority.allCases.count))))
    }
}
