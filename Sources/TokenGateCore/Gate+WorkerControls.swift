/// An operator's hold on one worker: a pause, or a cap on its share of each limit.
extension Gate {
    /// Passes over `worker`'s waiters (they keep their place) until `resume(worker:)`; its tickets
    /// in flight finish normally.
    public mutating func pause(worker: String, now: Instant) {
        advance(to: now)
        touch(worker, now: now)
        workers[worker]?.paused = true
    }

    /// Lets `worker`'s waiters go again, in their place.
    public mutating func resume(worker: String, now: Instant) {
        touch(worker, now: now)
        workers[worker]?.paused = false
        advance(to: now)
    }

    /// Caps `worker`: in every configured budget its used + reserved stays within `cap` x limit
    /// (`cap` in (0, 1]); others pass its waiters while it waits at its cap. Nil clears the cap.
    public mutating func setCap(_ cap: Double?, worker: String, now: Instant) throws(ConfigurationError) {
        if let cap, !(cap.isFinite && cap > 0 && cap <= 1) { throw .invalidCap(cap) }
        advance(to: now)
        touch(worker, now: now)
        workers[worker]?.cap = cap
        admitQueue(now: now)
    }

    /// Whether `worker` is paused by an operator.
    public func isPaused(worker: String) -> Bool { workers[worker]?.paused ?? false }

    /// `worker`'s cap, when it has one.
    public func cap(of worker: String) -> Double? { workers[worker]?.cap }

    /// The workers an operator paused or capped, by name.
    public var controlledWorkers: [String: WorkerControl] {
        workers.compactMapValues { ledger in
            ledger.paused || ledger.cap != nil ? WorkerControl(paused: ledger.paused, cap: ledger.cap) : nil
        }
    }

    /// What `worker` may hold of `kind` under its cap: cap x limit; nil without a cap.
    func capAllowance(of kind: BudgetKind, worker ledger: WorkerLedger) -> Int64? {
        guard let cap = ledger.cap, let limit = configuration.limit(of: kind) else { return nil }
        return GateConfiguration.fraction(cap, of: limit)
    }

    /// Whether `waiter` may be considered now: its worker is not paused and `demand` fits its cap.
    func mayGo(_ waiter: Waiter, now: Instant) -> Bool {
        guard let ledger = workers[waiter.worker] else { return true }
        guard !ledger.paused else { return false }
        guard ledger.cap != nil else { return true }
        return fitsCap(waiter.demand, worker: ledger, now: now)
    }

    /// Whether `demand` keeps the worker's used + reserved within its cap in every budget. A
    /// demand larger than the cap allows fits only when the worker holds nothing of that budget
    /// (as an oversized request waits for an empty window).
    func fitsCap(_ demand: BudgetAmounts, worker ledger: WorkerLedger, now: Instant) -> Bool {
        let used = ledger.window.total(at: now)
        for kind in configuration.budgets {
            guard let allowance = capAllowance(of: kind, worker: ledger) else { continue }
            let load = used[kind].addingSaturating(ledger.reserved[kind])
            if demand[kind] > allowance {
                if load > 0 { return false }
            } else if load.addingSaturating(demand[kind]) > allowance {
                return false
            }
        }
        return true
    }

    /// The earliest instant at which a waiter now held at its worker's cap fits it, if nothing
    /// but time passes (usage slides out of the worker's window; reservations only leave by a
    /// report or release, which re-evaluate the queue anyway). A lower bound over the waiters:
    /// per worker, the smallest demand counts.
    func earliestCapRelief(now: Instant) -> Instant? {
        let capped = workers.filter { $0.value.cap != nil && !$0.value.paused && $0.value.waiting > 0 }
        guard !capped.isEmpty else { return nil }
        var smallest: [String: BudgetAmounts] = [:]
        for waiter in queue.all where capped[waiter.worker] != nil {
            if let known = smallest[waiter.worker] {
                smallest[waiter.worker] = BudgetAmounts(
                    tokens: min(known.tokens, waiter.demand.tokens), input: min(known.input, waiter.demand.input),
                    output: min(known.output, waiter.demand.output), requests: min(known.requests, waiter.demand.requests)
                )
            } else {
                smallest[waiter.worker] = waiter.demand
            }
        }
        var earliest: Instant?
        for (worker, demand) in smallest {
            guard let ledger = workers[worker], !fitsCap(demand, worker: ledger, now: now),
                let relief = capRelief(demand, worker: ledger)
            else { continue }
            if relief > now, earliest.map({ relief < $0 }) ?? true { earliest = relief }
        }
        return earliest
    }

    /// When the worker's window has slid enough for `demand` to fit its cap; nil when its
    /// reservations alone keep it over.
    private func capRelief(_ demand: BudgetAmounts, worker ledger: WorkerLedger) -> Instant? {
        var latest: Instant?
        for kind in configuration.budgets {
            guard let allowance = capAllowance(of: kind, worker: ledger) else { continue }
            let room = demand[kind] > allowance ? 0 : allowance - demand[kind]
            guard ledger.reserved[kind] <= room else { return nil }
            if let instant = ledger.window.instant(whenAtMost: room - ledger.reserved[kind], of: kind) {
                latest = max(latest ?? instant, instant)
            }
        }
        return latest
    }
}

/// An operator's hold on one worker.
public struct WorkerControl: Hashable, Sendable {
    /// Its waiters are passed over.
    public var paused: Bool
    /// Its share of each limit, in (0, 1]; nil when uncapped.
    public var cap: Double?

    public init(paused: Bool, cap: Double?) {
        self.paused = paused
        self.cap = cap
    }
}
