import NIOCore
import TokenGateCore

extension GateHost {
    /// Keeps one timer set no later than the gate's next wake-up instant. A timer that is already
    /// armed earlier stays (firing early only recomputes the next instant), so the common case of a
    /// grant or report that moves the wake-up later costs no timer churn on the event loop.
    func rearmWakeUp() {
        guard !isShuttingDown else {
            wakeUp?.task.cancel()
            wakeUp = nil
            return
        }
        guard let next = pools.nextWakeUp(now: clock.now()) else { return }
        if let armed = wakeUp, armed.at <= next { return }
        wakeUp?.task.cancel()
        let task = eventLoop.assumeIsolated().scheduleTask(deadline: clock.deadline(of: next)) { [self] in
            wakeUp = nil
            pools.advance(to: clock.now())
            settleOutcomes()
        }
        wakeUp = (next, task)
    }
}
