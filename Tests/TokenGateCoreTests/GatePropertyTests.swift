import PropertyBased
import Testing
@testable import TokenGateCore

/// Random interleavings of every gate operation, checked against the admission invariants.
@Suite("Gate properties")
struct GatePropertyTests {
    /// One step: an operation code, an amount and a pick among workers, owners or tickets.
    typealias Step = (op: Int, amount: Int, pick: Int)

    static let steps = zip(Gen.int(in: 0...11), Gen.int(in: 0...400), Gen.int(in: 0...7)).array(of: 1...250)

    @Test("grants never overfill a budget, come in FIFO order, and every waiter is granted once traffic stops")
    func invariants() async {
        await propertyCheck(count: 300, input: Self.steps) { steps in
            Self.check(steps.map { Step(op: $0.0, amount: $0.1, pick: $0.2) })
        }
    }

    static func check(_ steps: [Step]) {
        var gate = makeGate(limit: 1000, window: 2, threshold: 0.9, requestsLimit: 40)
        var now = Instant.zero
        var held: [GateGrant] = []
        var queued: [WaiterID] = []
        var grantOrder: [UInt64] = []
        var dropped: Set<WaiterID> = []

        func absorb(_ grants: [GateGrant]) {
            guard !grants.isEmpty else { return }
            held += grants
            grantOrder += grants.map(\.waiter.rawValue)
            let used = gate.used(now: now)
            for kind in gate.configuration.budgets {
                let capacity = gate.configuration.capacity(of: kind) ?? 0
                let load = used[kind] + gate.reserved[kind]
                #expect(load <= capacity, "\(kind) load \(load) over capacity \(capacity) after a grant at \(now)")
            }
        }
        func takeOutcomes() {
            let outcomes = gate.takeOutcomes()
            queued.removeAll { id in outcomes.contains { $0.waiter == id } }
            absorb(outcomes.compactMap(\.grant))
        }

        /// Settles a ticket the test holds: the gate must still hold it too.
        func settleHeld(_ grant: GateGrant) {
            let result = gate.settle(ticket: grant.ticket, usage: usage(grant.reserved.tokens), now: now)
            #expect(result == .settled, "settled \(grant.ticket), which the gate no longer held")
        }

        for step in steps {
            now = now + .milliseconds(Int64(step.pick) * 7)
            switch step.op {
            case 0...3:
                let estimate = step.amount % 5 == 0 ? Estimate.unknown : estimate(Int64(step.amount))
                let decision = gate.acquire(
                    worker: "w\(step.pick % 4)", estimate: estimate, owner: OwnerID(rawValue: UInt64(step.pick % 3)),
                    now: now
                )
                // Outcomes resolved while the gate was brought to `now` happened before this decision.
                takeOutcomes()
                switch decision {
                case .granted(let grant): absorb([grant])
                case .queued(let id): queued.append(id)
                case .timedOut: Issue.record("no deadline was given, yet the acquire timed out")
                }
            case 4, 5:
                guard !held.isEmpty else { break }
                let grant = held.remove(at: step.pick % held.count)
                settleHeld(grant)
            case 6:
                guard !held.isEmpty else { break }
                let grant = held.remove(at: step.pick % held.count)
                let released = gate.release(ticket: grant.ticket, now: now)
                #expect(released, "released \(grant.ticket), which the gate no longer held")
            case 7:
                let owner = OwnerID(rawValue: UInt64(step.pick % 3))
                let withdrawal = gate.withdraw(owner: owner, now: now)
                // Grants made while the gate was brought to `now` came before the withdrawal and
                // may be among the tickets it released.
                takeOutcomes()
                dropped.formUnion(withdrawal.waitersDropped)
                queued.removeAll { withdrawal.waitersDropped.contains($0) }
                held.removeAll { withdrawal.ticketsReleased.contains($0.ticket) }
            case 8: gate.pause(now: now)
            case 9: gate.resume(now: now)
            case 10: try? gate.setLimit(Int64(800 + step.amount), now: now)
            default: now = now + .milliseconds(Int64(step.amount) * 5)
            }
            gate.advance(to: now)
            takeOutcomes()
        }

        // Traffic stops: resume, settle everything held, and follow the wake-ups.
        gate.resume(now: now)
        takeOutcomes()
        var rounds = 0
        while rounds < 10_000 {
            rounds += 1
            for grant in held { settleHeld(grant) }
            held.removeAll()
            takeOutcomes()
            guard held.isEmpty else { continue }
            guard let wake = gate.nextWakeUp(now: now) else { break }
            now = max(now, wake)
            gate.advance(to: now)
            takeOutcomes()
        }
        #expect(queued.isEmpty, "waiters left after traffic stopped: \(queued)")
        #expect(gate.snapshot(now: now).waiting == 0)
        #expect(grantOrder == grantOrder.sorted(), "grants out of FIFO order: \(grantOrder)")
        #expect(Set(grantOrder).count == grantOrder.count, "a waiter was granted twice")
        #expect(dropped.allSatisfy { !grantOrder.contains($0.rawValue) }, "a withdrawn waiter was granted")
    }
}

/// The same random interleavings with priorities, a high reserve, worker pauses and caps.
@Suite("Gate properties: priorities and per-worker control")
struct GateControlPropertyTests {
    typealias Step = GatePropertyTests.Step

    static let steps = zip(Gen.int(in: 0...15), Gen.int(in: 0...400), Gen.int(in: 0...7)).array(of: 1...250)

    @Test("no grant overfills a budget, the high reserve or a worker's cap; every waiter is granted once traffic stops")
    func invariants() async {
        await propertyCheck(count: 300, input: Self.steps) { steps in
            Self.check(steps.map { Step(op: $0.0, amount: $0.1, pick: $0.2) })
        }
    }

    static func check(_ steps: [Step]) {
        var gate = makeGate(limit: 1000, window: 2, threshold: 0.9, requestsLimit: 40, highReserve: 0.25, priorityAging: 1)
        var now = Instant.zero
        var held: [GateGrant] = []
        var queued: [WaiterID] = []
        var priorities: [WaiterID: Priority] = [:]
        var granted: Set<WaiterID> = []

        func absorb(_ grants: [GateGrant]) {
            // Every grant of one call happens at `now`: the load right after grant k is the load
            // now less what the grants after it reserved.
            let total = gate.used(now: now) + gate.reserved
            var later = BudgetAmounts.zero
            var laterOfWorker: [String: BudgetAmounts] = [:]
            for grant in grants.reversed() {
                #expect(granted.insert(grant.waiter).inserted, "\(grant.waiter) granted twice")
                let priority = priorities[grant.waiter] ?? .normal
                for kind in gate.configuration.budgets {
                    let capacity = gate.configuration.capacity(of: kind, for: priority) ?? 0
                    let load = total[kind] - later[kind]
                    #expect(load <= capacity, "a \(priority) grant took \(kind) to \(load), over \(capacity) at \(now)")
                }
                later += grant.reserved
                if let ledger = gate.workers[grant.worker], ledger.cap != nil {
                    let spent = ledger.window.total(at: now) + ledger.reserved
                    let after = laterOfWorker[grant.worker, default: .zero]
                    for kind in gate.configuration.budgets {
                        guard let allowance = gate.capAllowance(of: kind, worker: ledger) else { continue }
                        let load = spent[kind] - after[kind]
                        // A demand over the cap alone goes only when the worker holds nothing else.
                        #expect(load <= allowance || load == grant.reserved[kind], "\(grant.worker) holds \(load) of \(kind), over its cap \(allowance) at \(now)")
                    }
                }
                laterOfWorker[grant.worker, default: .zero] += grant.reserved
            }
            held += grants
        }
        /// The grants of the outcomes taken, plus `direct` (a grant made after them, at the same instant).
        func takeOutcomes(direct: GateGrant? = nil) {
            let outcomes = gate.takeOutcomes()
            queued.removeAll { id in outcomes.contains { $0.waiter == id } }
            absorb(outcomes.compactMap(\.grant) + [direct].compactMap { $0 })
        }

        /// Settles a ticket the test holds: the gate must still hold it too.
        func settleHeld(_ grant: GateGrant) {
            let result = gate.settle(ticket: grant.ticket, usage: usage(grant.reserved.tokens), now: now)
            #expect(result == .settled, "settled \(grant.ticket), which the gate no longer held")
        }

        for step in steps {
            now = now + .milliseconds(Int64(step.pick) * 7)
            let worker = "w\(step.pick % 4)"
            // What time alone resolves comes first, so that each grant is checked against the
            // controls in force when it was made.
            gate.advance(to: now)
            takeOutcomes()
            switch step.op {
            case 0...4:
                let priority = Priority.allCases[step.amount % 3]
                let estimate = step.amount % 5 == 0 ? Estimate.unknown : estimate(Int64(step.amount))
                let decision = gate.acquire(
                    worker: worker, estimate: estimate, priority: priority, owner: OwnerID(rawValue: UInt64(step.pick % 3)),
                    now: now
                )
                switch decision {
                case .granted(let grant):
                    priorities[grant.waiter] = priority
                    takeOutcomes(direct: grant)
                case .queued(let id):
                    priorities[id] = priority
                    queued.append(id)
                    takeOutcomes()
                case .timedOut: Issue.record("no deadline was given, yet the acquire timed out")
                }
            case 5, 6:
                guard !held.isEmpty else { break }
                let grant = held.remove(at: step.pick % held.count)
                settleHeld(grant)
            case 7:
                guard !held.isEmpty else { break }
                let grant = held.remove(at: step.pick % held.count)
                let released = gate.release(ticket: grant.ticket, now: now)
                #expect(released, "released \(grant.ticket), which the gate no longer held")
            case 8: gate.pause(worker: worker, now: now)
            case 9: gate.resume(worker: worker, now: now)
            case 10:
                let cap = step.amount % 4 == 0 ? nil : Double(step.amount % 10 + 1) / 10
                do { try gate.setCap(cap, worker: worker, now: now) } catch { Issue.record("\(error)") }
            case 11: gate.pause(now: now)
            case 12: gate.resume(now: now)
            case 13: try? gate.setLimit(Int64(800 + step.amount), now: now)
            default: now = now + .milliseconds(Int64(step.amount) * 5)
            }
            takeOutcomes()
            gate.advance(to: now)
            takeOutcomes()
        }

        // Traffic stops: resume everything, lift the caps, settle what is held, follow the wake-ups.
        gate.resume(now: now)
        for worker in (0..<4).map({ "w\($0)" }) {
            gate.resume(worker: worker, now: now)
            try? gate.setCap(nil, worker: worker, now: now)
        }
        takeOutcomes()
        var rounds = 0
        while rounds < 10_000 {
            rounds += 1
            for grant in held { settleHeld(grant) }
            held.removeAll()
            takeOutcomes()
            guard held.isEmpty else { continue }
            guard let wake = gate.nextWakeUp(now: now) else { break }
            now = max(now, wake)
            gate.advance(to: now)
            takeOutcomes()
        }
        #expect(queued.isEmpty, "waiters left after traffic stopped: \(queued)")
        #expect(gate.snapshot(now: now).waiting == 0)
    }
}
