/// Where the gate keeps what the provider has charged or is about to charge: used and reserved
/// amounts at their place on the provider's timeline, let go as the configured algorithm says.
///
/// A grant is placed at its grant instant; its request reaches the provider within the send
/// margin. Under the sliding window, everything placed counts for `window + sendMargin` and then
/// leaves whole (a reservation too, reported or not: the provider forgot it by then); a report
/// replaces the reservation by the real usage at the same place. Under the token bucket the same
/// charges drain continuously (`BucketTimeline`).
struct Timeline: Sendable {
    let algorithm: AccountingAlgorithm
    let sendMargin: TimeSpan
    private var usedWindow: SlidingWindow
    private var reservedWindow: SlidingWindow
    private var bucket: BucketTimeline

    init(configuration: GateConfiguration) {
        algorithm = configuration.algorithm
        sendMargin = configuration.sendMargin
        let length = configuration.window + configuration.sendMargin
        usedWindow = SlidingWindow(length: length, slotsPerWindow: configuration.slotsPerWindow)
        reservedWindow = SlidingWindow(length: length, slotsPerWindow: configuration.slotsPerWindow)
        bucket = BucketTimeline(
            window: configuration.window, sendMargin: configuration.sendMargin,
            slotsPerWindow: configuration.slotsPerWindow
        )
    }

    /// The place of usage reported without a ticket at `now`: it was charged before it was
    /// reported, so it counts from now for one window.
    func ticketlessPlace(now: Instant) -> Instant { now - sendMargin }

    // MARK: Time

    /// Lets go of what no longer counts at `now`.
    mutating func advance(to now: Instant, configuration: GateConfiguration) {
        switch algorithm {
        case .slidingWindow:
            usedWindow.expire(at: now)
            reservedWindow.expire(at: now)
        case .tokenBucket:
            bucket.drain(to: now, rates: Self.drainRates(configuration))
        }
    }

    /// Per budget, what the bucket drains per nanosecond: threshold x limit per window.
    static func drainRates(_ configuration: GateConfiguration) -> [BudgetKind: Double] {
        var rates: [BudgetKind: Double] = [:]
        for kind in configuration.budgets {
            if let capacity = configuration.capacity(of: kind) {
                rates[kind] = Double(capacity) / Double(configuration.window.nanoseconds)
            }
        }
        return rates
    }

    // MARK: Placing

    /// Usage charged at `place`.
    mutating func record(_ amounts: BudgetAmounts, at place: Instant, now: Instant) {
        switch algorithm {
        case .slidingWindow: usedWindow.record(amounts, at: place, now: now)
        case .tokenBucket: bucket.add(used: amounts, reserved: .zero, at: place)
        }
    }

    /// A grant's reservation at its grant instant.
    mutating func reserve(_ amounts: BudgetAmounts, at place: Instant, now: Instant) {
        switch algorithm {
        case .slidingWindow: reservedWindow.record(amounts, at: place, now: now)
        case .tokenBucket: bucket.add(used: .zero, reserved: amounts, at: place)
        }
    }

    /// A report: the reservation at `place` is replaced by what the request really cost.
    mutating func settle(reserved: BudgetAmounts, actual: BudgetAmounts, at place: Instant, now: Instant) {
        switch algorithm {
        case .slidingWindow:
            reservedWindow.remove(reserved, at: place, now: now)
            usedWindow.record(actual, at: place, now: now)
        case .tokenBucket:
            bucket.settle(reserved: reserved, actual: actual, at: place, lateAt: now)
        }
    }

    /// A release: the reservation at `place` is dropped (its request was never charged).
    mutating func release(reserved: BudgetAmounts, at place: Instant, now: Instant) {
        switch algorithm {
        case .slidingWindow: reservedWindow.remove(reserved, at: place, now: now)
        case .tokenBucket: bucket.settle(reserved: reserved, actual: .zero, at: place, lateAt: now)
        }
    }

    /// A lease ran out: the reservation at `place` counts as used, where it stands.
    mutating func charge(reserved: BudgetAmounts, at place: Instant, now: Instant) {
        switch algorithm {
        case .slidingWindow:
            let taken = reservedWindow.remove(reserved, at: place, now: now)
            usedWindow.record(taken, at: place, now: now)
        case .tokenBucket:
            bucket.settle(reserved: reserved, actual: reserved, at: place, lateAt: now)
        }
    }

    // MARK: Reading

    /// Usage counted as of the last `advance`.
    var used: BudgetAmounts {
        switch algorithm {
        case .slidingWindow: usedWindow.total
        case .tokenBucket: bucket.usedTotal.rounded
        }
    }

    /// Reservations counted as of the last `advance`.
    var reserved: BudgetAmounts {
        switch algorithm {
        case .slidingWindow: reservedWindow.total
        case .tokenBucket: bucket.reservedTotal.rounded
        }
    }

    /// used + reserved of `kind`.
    func load(_ kind: BudgetKind) -> Int64 {
        switch algorithm {
        case .slidingWindow: usedWindow.total[kind].addingSaturating(reservedWindow.total[kind])
        case .tokenBucket: (bucket.usedTotal + bucket.reservedTotal).rounded[kind]
        }
    }

    /// Reservations whose request may not have reached the provider by `now`.
    func reservedInMargin(now: Instant) -> BudgetAmounts {
        switch algorithm {
        case .slidingWindow: reservedWindow.total(recordedAfter: now - sendMargin)
        case .tokenBucket: bucket.reservedInMargin(now: now)
        }
    }

    /// The earliest instant at which `load(kind)` will be at most `allowed` if nothing more is
    /// placed; nil when it already is.
    func instant(whenAtMost allowed: Int64, of kind: BudgetKind, configuration: GateConfiguration) -> Instant? {
        switch algorithm {
        case .slidingWindow:
            if reservedWindow.isEmpty { return usedWindow.instant(whenAtMost: allowed, of: kind) }
            if usedWindow.isEmpty { return reservedWindow.instant(whenAtMost: allowed, of: kind) }
            var remaining = load(kind)
            guard remaining > allowed else { return nil }
            let departures = (usedWindow.departures(of: kind) + reservedWindow.departures(of: kind))
                .sorted { $0.at < $1.at }
            for departure in departures {
                remaining -= min(remaining, departure.amount)
                if remaining <= allowed { return departure.at }
            }
            return departures.last?.at
        case .tokenBucket:
            return bucket.instant(whenAtMost: allowed, of: kind, rate: Self.drainRates(configuration)[kind])
        }
    }

    /// The earliest instant at which `load(kind)` plus what `unseen` still counts is at most
    /// `allowed` if nothing more is placed and no reading comes: the window's departures are
    /// taken in order, and between two of them the unseen spending fades, so each step is tried
    /// for the first instant within it (nil when it already is). The token bucket drains
    /// continuously: for it, the later of the bucket's own instant and the one at which the
    /// unseen spending fits beside the bucket as it is now (never early, so the gate never wakes
    /// to find nothing fits; it may wake late, when the drain would have let it in sooner).
    func instant(whenAtMost allowed: Int64, of kind: BudgetKind, with unseen: UnseenSpending, now: Instant, configuration: GateConfiguration) -> Instant? {
        let departures: [(at: Instant, amount: Int64)]
        switch algorithm {
        case .slidingWindow:
            departures = (usedWindow.departures(of: kind) + reservedWindow.departures(of: kind)).sorted { $0.at < $1.at }
        case .tokenBucket:
            let bounds = [
                instant(whenAtMost: allowed, of: kind, configuration: configuration),
                unseen.instant(whenAtMost: max(0, allowed - load(kind))),
            ]
            return bounds.compactMap { $0 }.max()
        }
        var remaining = load(kind)
        var from = now
        func fitting() -> Instant? {
            guard remaining <= allowed else { return nil }
            return max(from, unseen.instant(whenAtMost: allowed - remaining) ?? from)
        }
        for departure in departures where departure.amount > 0 {
            if let instant = fitting(), instant < departure.at { return instant > now ? instant : nil }
            remaining -= min(remaining, departure.amount)
            from = max(from, departure.at)
        }
        let instant = fitting() ?? from
        return instant > now ? instant : nil
    }

    /// Live coalescing slots (bounded memory).
    var slotCount: Int {
        switch algorithm {
        case .slidingWindow: usedWindow.slotCount + reservedWindow.slotCount
        case .tokenBucket: bucket.slots.count
        }
    }
}
