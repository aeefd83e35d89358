import TokenGateCore

extension SimulationEngine {
    /// Sends the requests of every acquire the gate has granted since the last call, in the order
    /// it granted them, until the gate has nothing more (a send can itself lead to grants).
    mutating func dispatchGrants() throws(SimulationError) {
        while let outcomes = gate?.takeOutcomes(), !outcomes.isEmpty {
            for outcome in outcomes {
                guard case .granted(let grant) = outcome else {
                    throw .unexpected("a waiter without a deadline timed out")
                }
                guard let worker = waitingWorkers.removeValue(forKey: grant.waiter) else {
                    throw .unexpected("a grant for an unknown waiter \(grant.waiter)")
                }
                try send(worker, ticket: grant.ticket)
            }
        }
    }

    /// Keeps the single gate timer on the gate's `nextWakeUp`, re-arming it only when that moved.
    mutating func armTimer() {
        let next = gate?.nextWakeUp(now: now)
        guard next != armedTimer else { return }
        armedTimer = next
        timerGeneration += 1
        guard var instant = next else { return }
        if instant <= now {
            metrics.stalledWakeUps += 1
            instant = now + TimeSpan(nanoseconds: 1)
        }
        schedule(.gateTimer(generation: timerGeneration), at: instant)
    }
}
