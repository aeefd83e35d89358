import Testing
@testable import TokenGateCore

/// One property run's state: the gate under test, the virtual clock, the tickets the test holds
/// and the waiters it expects an outcome for.
struct PropertyRun {
    var gate: Gate
    var now = Instant.zero
    var held: [GateGrant] = []
    var queued: [WaiterID] = []

    init(gate: Gate) { self.gate = gate }

    /// Takes the gate's outcomes: the waiters they answer leave `queued`, their grants and `direct`
    /// (a grant made after them, at the same instant) join `held`, and `absorb` checks those grants.
    mutating func takeOutcomes(direct: GateGrant? = nil, absorb: (PropertyRun, [GateGrant]) -> Void) {
        let outcomes = gate.takeOutcomes()
        queued.removeAll { id in outcomes.contains { $0.waiter == id } }
        let grants = outcomes.compactMap(\.grant) + [direct].compactMap { $0 }
        held += grants
        absorb(self, grants)
    }

    /// Removes one held ticket, picked by `pick`, or returns nil when the test holds none.
    mutating func removeHeld(pick: Int) -> GateGrant? {
        held.isEmpty ? nil : held.remove(at: pick % held.count)
    }

    /// Settles a ticket the test holds: the gate must still hold it too.
    mutating func settle(_ grant: GateGrant) {
        let result = gate.settle(ticket: grant.ticket, usage: usage(grant.reserved.tokens), now: now)
        #expect(result == .settled, "settled \(grant.ticket), which the gate no longer held")
    }

    /// Releases a ticket the test holds: the gate must still hold it too.
    mutating func release(_ grant: GateGrant) {
        let released = gate.release(ticket: grant.ticket, now: now)
        #expect(released, "released \(grant.ticket), which the gate no longer held")
    }

    /// Traffic has stopped: settles everything held and follows the gate's wake-ups until it has
    /// none left (at most 10,000 rounds). `absorb` checks each batch of grants as it comes.
    mutating func drain(absorb: (PropertyRun, [GateGrant]) -> Void) {
        var rounds = 0
        while rounds < 10_000 {
            rounds += 1
            for grant in held { settle(grant) }
            held.removeAll()
            takeOutcomes(absorb: absorb)
            guard held.isEmpty else { continue }
            guard let wake = gate.nextWakeUp(now: now) else { break }
            now = max(now, wake)
            gate.advance(to: now)
            takeOutcomes(absorb: absorb)
        }
    }
}
