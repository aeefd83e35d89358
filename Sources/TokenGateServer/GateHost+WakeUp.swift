import NIOCore
import TokenGateCore

extension GateHost {
    /// Keeps exactly one timer set to the gate's next wake-up instant.
    func rearmWakeUp() {
        guard !isShuttingDown, let next = gate.nextWakeUp(now: clock.now()) else {
            wakeUp?.task.cancel()
            wakeUp = nil
            return
        }
        if let armed = wakeUp, armed.at == next { return }
        wakeUp?.task.cancel()
        let task = eventLoop.assumeIsolated().scheduleTask(deadline: clock.deadline(of: next)) { [self] in
            wakeUp = nil
            gate.advance(to: clock.now())
            settleOutcomes()
        }
        wakeUp = (next, task)
    }
}
