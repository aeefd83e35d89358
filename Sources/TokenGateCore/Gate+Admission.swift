import HeapModule

extension Gate {
    /// Whether grants may be made at all: not paused and not in a cooldown.
    func isOpen(now: Instant) -> Bool {
        guard !isPaused else { return false }
        guard let until = cooldownUntil else { return true }
        return until <= now
    }

    /// The rule of the configured policy for a request of `priority` with `demand`, given the
    /// window as of now (below high priority, the high reserve is out of reach).
    func admits(_ demand: BudgetAmounts, priority: Priority, now: Instant) -> Bool {
        guard isOpen(now: now) else { return false }
        switch configuration.policy {
        case .reserving:
            for kind in configuration.budgets {
                guard let capacity = configuration.capacity(of: kind, for: priority) else { continue }
                let load = timeline.load(kind).addingSaturating(external[kind]?.amount(at: now) ?? 0)
                if demand[kind] > capacity {
                    if load > 0 { return false }
                } else if load.addingSaturating(demand[kind]) > capacity {
                    return false
                }
            }
            return true
        case .seed(let threshold, _):
            guard let limit = configuration.limit(of: .tokens) else { return true }
            return Double(timeline.used.tokens) < threshold * Double(limit)
        }
    }

    var recheckInterval: TimeSpan {
        switch configuration.policy {
        case .reserving: .zero
        case .seed(_, let recheck): recheck
        }
    }

    /// Grants queued acquires as far as the policy allows. Reserving: the first waiter in order
    /// (see `WaitQueue`), then the next, stopping at the first that does not fit; waiters of a
    /// paused worker, or of one at its cap, are passed over and keep their place. Seed: every
    /// waiter whose re-check is due passes if the window is under the threshold, in no particular
    /// order.
    mutating func admitQueue(now: Instant) {
        guard decidesAdmission else { return }
        switch configuration.policy {
        case .reserving:
            guard !queue.isEmpty, isOpen(now: now) else { return }
            let aging = configuration.priorityAging
            while let position = queue.best(now: now, aging: aging, where: { mayGo($0, now: now) }),
                admits(queue[position].demand, priority: queue[position].priority, now: now)
            {
                let head = queue.remove(at: position)
                dequeued(head)
                pendingOutcomes.append(.granted(grant(head, now: now)))
            }
        case .seed(_, let recheck):
            // In place: a re-check round must not copy the whole queue (the simulation runs
            // hundreds of thousands of them). Grants reserve nothing under this policy, so
            // `admits` gives the same answer for every waiter of one round.
            let passes = admits(.zero, priority: .normal, now: now)
            var granted: [Waiter] = []
            queue.forEachLane { lane in
                var index = lane.startIndex
                while index < lane.endIndex {
                    let due = lane[index].nextRecheck
                    guard due <= now else {
                        index += 1
                        continue
                    }
                    if passes {
                        granted.append(lane.remove(at: index))
                    } else {
                        let missed = (now - due).nanoseconds / max(1, recheck.nanoseconds) + 1
                        lane[index].nextRecheck = due + recheck * missed
                        index += 1
                    }
                }
            }
            for waiter in granted {
                dequeued(waiter)
                pendingOutcomes.append(.granted(grant(waiter, now: now)))
            }
        }
    }

    /// Bookkeeping for a waiter that left the queue, whatever the reason.
    mutating func dequeued(_ waiter: Waiter) {
        workers[waiter.worker]?.waiting -= 1
        if waiter.deadline != nil { queuedDeadlines[waiter.id] = nil }
    }

    /// Turns a waiter into a ticket, reserving its demand (nothing under the seed policy).
    mutating func grant(_ waiter: Waiter, now: Instant) -> GateGrant {
        let reserved: BudgetAmounts
        switch configuration.policy {
        case .reserving: reserved = waiter.demand
        case .seed: reserved = .zero
        }
        let ticket = Ticket(
            id: TicketID(rawValue: nextTicketNumber), worker: waiter.worker, owner: waiter.owner,
            reserved: reserved, grantedAt: now, leaseExpiresAt: now + configuration.lease
        )
        nextTicketNumber += identifiers.stride
        tickets[ticket.id] = ticket
        leaseOrder.append(ticket.id)
        timeline.reserve(reserved, at: now, now: now)
        touch(waiter.worker, now: now)
        workers[waiter.worker]?.inFlight += 1
        workers[waiter.worker]?.reserved += reserved
        return GateGrant(
            waiter: waiter.id, ticket: ticket.id, worker: waiter.worker, waited: now - waiter.enqueuedAt,
            reserved: reserved
        )
    }

    /// Removes a ticket (its reservation stays on the timeline: the caller settles, releases or
    /// charges it); nil when it is not held.
    @discardableResult
    mutating func removeTicket(_ id: TicketID) -> Ticket? {
        guard let ticket = tickets.removeValue(forKey: id) else { return nil }
        workers[ticket.worker]?.inFlight -= 1
        workers[ticket.worker]?.reserved -= ticket.reserved
        return ticket
    }

    /// Drops a removed ticket's reservation: its request never reached the provider.
    mutating func releaseReservation(of ticket: Ticket, now: Instant) {
        timeline.release(reserved: ticket.reserved, at: ticket.grantedAt, now: now)
    }

    /// Adds consumption at `place` to the worker's own window.
    mutating func recordForWorker(_ amounts: BudgetAmounts, worker: String, at place: Instant, now: Instant) {
        touch(worker, now: now)
        workers[worker]?.window.record(amounts, at: place, now: now)
    }

    /// Makes sure `worker` has a ledger and marks it seen.
    mutating func touch(_ worker: String, now: Instant) {
        if let seen = workers[worker]?.lastSeen {
            if now > seen { workers[worker]?.lastSeen = now }
        } else {
            workers[worker] = WorkerLedger(
                window: SlidingWindow(
                    length: configuration.window + configuration.sendMargin, slotsPerWindow: configuration.slotsPerWindow
                ),
                lastSeen: now
            )
        }
    }

    /// Tickets held past their lease are charged at their reservation, at their place on the
    /// timeline (where the provider charged them): never silently forgotten. A recovered ticket
    /// only stands in for usage still to come and is dropped.
    mutating func chargeExpiredLeases(now: Instant) {
        while let first = leaseOrder.first {
            guard let ticket = tickets[first] else {
                leaseOrder.removeFirst()
                continue
            }
            guard ticket.leaseExpiresAt <= now else { break }
            leaseOrder.removeFirst()
            removeTicket(first)
            if ticket.chargesAtLeaseEnd {
                timeline.charge(reserved: ticket.reserved, at: ticket.grantedAt, now: now)
                workers[ticket.worker]?.window.record(ticket.reserved, at: ticket.grantedAt, now: now)
            } else {
                timeline.release(reserved: ticket.reserved, at: ticket.grantedAt, now: now)
            }
        }
    }

    /// Waiters whose deadline has come are dropped with a timeout outcome.
    mutating func expireDeadlines(now: Instant) {
        while let earliest = deadlines.min, earliest.deadline <= now {
            deadlines.removeMin()
            guard queuedDeadlines[earliest.waiter] != nil, let waiter = queue.remove(earliest.waiter) else { continue }
            dequeued(waiter)
            pendingOutcomes.append(.timedOut(waiter.id))
        }
        if deadlines.count > 2 * queuedDeadlines.count + 64 {
            deadlines = Heap(queuedDeadlines.map { DeadlineEntry(deadline: $1, waiter: $0) })
        }
    }

    /// Forgets workers idle for longer than the window (and at least five minutes).
    mutating func pruneIdleWorkers(now: Instant) {
        if let due = nextPruneAt, now < due { return }
        let idleFor = max(configuration.window, .seconds(300))
        workers = workers.filter { _, ledger in
            var ledger = ledger
            ledger.window.expire(at: now)
            return !(ledger.isIdle && ledger.lastSeen + idleFor <= now)
        }
        nextPruneAt = now + configuration.window
    }

    /// The amounts an acquire is expected to spend. Missing figures come from the worker's recent
    /// mean cost, else the fleet's, else zero. Given only a total, input and output are split by the
    /// mean's proportions, or each taken as the whole total when there is no mean (never under).
    func demand(for estimate: Estimate, worker: String) -> BudgetAmounts {
        let mean: MeanCost? = {
            if let own = workers[worker]?.mean, own.hasSamples { return own }
            return fleetMean.hasSamples ? fleetMean : nil
        }()
        func rounded(_ value: Double) -> Int64 {
            Int64(min(Double(TokenCount.maximum), max(0, value.rounded(.up))))
        }
        let meanInput = rounded(mean?.input ?? 0)
        let meanOutput = rounded(mean?.output ?? 0)
        let tokens: Int64
        if let given = estimate.tokens {
            tokens = given
        } else if estimate.input != nil || estimate.output != nil {
            tokens = (estimate.input ?? meanInput).addingSaturating(estimate.output ?? meanOutput)
        } else {
            tokens = rounded(mean?.tokens ?? 0)
        }
        func share(_ part: Double?) -> Int64 {
            guard estimate.tokens != nil, let mean, mean.tokens > 0, let part else { return tokens }
            return min(tokens, rounded(Double(tokens) * part / mean.tokens))
        }
        let input = estimate.input ?? (estimate.tokens != nil ? share(mean?.input) : meanInput)
        let output = estimate.output ?? (estimate.tokens != nil ? share(mean?.output) : meanOutput)
        return BudgetAmounts(tokens: tokens, input: input, output: output, requests: 1)
    }
}
