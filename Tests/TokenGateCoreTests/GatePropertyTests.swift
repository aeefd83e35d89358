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
        var run = PropertyRun(gate: makeGate(limit: 1000, window: 2, threshold: 0.9, requestsLimit: 40))
        var grantOrder: [UInt64] = []
        var dropped: Set<WaiterID> = []

        func absorb(_ run: PropertyRun, _ grants: [GateGrant]) {
            guard !grants.isEmpty else { return }
            grantOrder += grants.map(\.waiter.rawValue)
            let used = run.gate.used(now: run.now)
            for kind in run.gate.configuration.budgets {
                let capacity = run.gate.configuration.capacity(of: kind) ?? 0
                let load = used[kind] + run.gate.reserved[kind]
                #expect(load <= capacity, "\(kind) load \(load) over capacity \(capacity) after a grant at \(run.now)")
            }
        }

        for step in steps {
            run.now = run.now + .milliseconds(Int64(step.pick) * 7)
            switch step.op {
            case 0...3:
                let estimate = step.amount % 5 == 0 ? Estimate.unknown : estimate(Int64(step.amount))
                let decision = run.gate.acquire(
                    worker: "w\(step.pick % 4)", estimate: estimate, owner: OwnerID(rawValue: UInt64(step.pick % 3)),
                    now: run.now
                )
                // Outcomes resolved while the gate was brought to `now` happened before this decision.
                run.takeOutcomes(absorb: absorb)
                switch decision {
                case .granted(let grant): run.takeOutcomes(direct: grant, absorb: absorb)
                case .queued(let id): run.queued.append(id)
                case .timedOut: Issue.record("no deadline was given, yet the acquire timed out")
                }
            case 4, 5:
                if let grant = run.removeHeld(pick: step.pick) { run.settle(grant) }
            case 6:
                if let grant = run.removeHeld(pick: step.pick) { run.release(grant) }
            case 7:
                let owner = OwnerID(rawValue: UInt64(step.pick % 3))
                let withdrawal = run.gate.withdraw(owner: owner, now: run.now)
                // Grants made while the gate was brought to `now` came before the withdrawal and
                // may be among the tickets it released.
                run.takeOutcomes(absorb: absorb)
                dropped.formUnion(withdrawal.waitersDropped)
                run.queued.removeAll { withdrawal.waitersDropped.contains($0) }
                run.held.removeAll { withdrawal.ticketsReleased.contains($0.ticket) }
            case 8: run.gate.pause(now: run.now)
            case 9: run.gate.resume(now: run.now)
            case 10: try? run.gate.setLimit(Int64(800 + step.amount), now: run.now)
            default: run.now = run.now + .milliseconds(Int64(step.amount) * 5)
            }
            run.gate.advance(to: run.now)
            run.takeOutcomes(absorb: absorb)
        }

        // Traffic stops: resume, settle everything held, and follow the wake-ups.
        run.gate.resume(now: run.now)
        run.takeOutcomes(absorb: absorb)
        run.drain(absorb: absorb)
        #expect(run.queued.isEmpty, "waiters left after traffic stopped: \(run.queued)")
        #expect(run.gate.snapshot(now: run.now).waiting == 0)
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
        var run = PropertyRun(
            gate: makeGate(limit: 1000, window: 2, threshold: 0.9, requestsLimit: 40, highReserve: 0.25, priorityAging: 1)
        )
        var priorities: [WaiterID: Priority] = [:]
        var granted: Set<WaiterID> = []

        func absorb(_ run: PropertyRun, _ grants: [GateGrant]) {
            let gate = run.gate, now = run.now
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
        }

        for step in steps {
            run.now = run.now + .milliseconds(Int64(step.pick) * 7)
            let worker = "w\(step.pick % 4)"
            // What time alone resolves comes first, so that each grant is checked against the
            // controls in force when it was made.
            run.gate.advance(to: run.now)
            run.takeOutcomes(absorb: absorb)
            switch step.op {
            case 0...4:
                let priority = Priority.allCases[step.amount % 3]
                let estimate = step.amount % 5 == 0 ? Estimate.unknown : estimate(Int64(step.amount))
                let decision = run.gate.acquire(
                    worker: worker, estimate: estimate, priority: priority, owner: OwnerID(rawValue: UInt64(step.pick % 3)),
                    now: run.now
                )
                switch decision {
                case .granted(let grant):
                    priorities[grant.waiter] = priority
                    run.takeOutcomes(direct: grant, absorb: absorb)
                case .queued(let id):
                    priorities[id] = priority
                    run.queued.append(id)
                    run.takeOutcomes(absorb: absorb)
                case .timedOut: Issue.record("no deadline was given, yet the acquire timed out")
                }
            case 5, 6:
                if let grant = run.removeHeld(pick: step.pick) { run.settle(grant) }
            case 7:
                if let grant = run.removeHeld(pick: step.pick) { run.release(grant) }
            case 8: run.gate.pause(worker: worker, now: run.now)
            case 9: run.gate.resume(worker: worker, now: run.now)
            case 10:
                let cap = step.amount % 4 == 0 ? nil : Double(step.amount % 10 + 1) / 10
                do { try run.gate.setCap(cap, worker: worker, now: run.now) } catch { Issue.record("\(error)") }
            case 11: run.gate.pause(now: run.now)
            case 12: run.gate.resume(now: run.now)
            case 13: try? run.gate.setLimit(Int64(800 + step.amount), now: run.now)
            default: run.now = run.now + .milliseconds(Int64(step.amount) * 5)
            }
            run.takeOutcomes(absorb: absorb)
            run.gate.advance(to: run.now)
            run.takeOutcomes(absorb: absorb)
        }

        // Traffic stops: resume everything, lift the caps, settle what is held, follow the wake-ups.
        run.gate.resume(now: run.now)
        for worker in (0..<4).map({ "w\($0)" }) {
            run.gate.resume(worker: worker, now: run.now)
            try? run.gate.setCap(nil, worker: worker, now: run.now)
        }
        run.takeOutcomes(absorb: absorb)
        run.drain(absorb: absorb)
        #expect(run.queued.isEmpty, "waiters left after traffic stopped: \(run.queued)")
        #expect(run.gate.snapshot(now: run.now).waiting == 0)
    }
}
