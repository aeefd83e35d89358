import HeapModule
import TokenGateCore

/// A run in virtual time driven by a heap of events ordered by (instant, sequence): the loop the
/// simulation and the pools race share. The gates are driven only by the calls the workers make
/// and by one timer armed at their next wake-up, never by stepping time.
protocol DiscreteEventEngine {
    var events: Heap<ScheduledEvent> { get set }
    var nextSequence: UInt64 { get set }
    var now: Instant { get set }
    var armedTimer: Instant? { get set }
    var timerGeneration: UInt64 { get }
    var workers: [WorkerProgress] { get set }
    /// Events taken from the heap so far, and how many the run may take.
    var eventCount: Int { get set }
    var maximumEvents: Int { get }

    /// Brings the gates to `now`.
    mutating func advanceGates()
    mutating func attempt(_ worker: Int) throws(SimulationError)
    mutating func arrive(_ worker: Int, ticket: TicketID?) throws(SimulationError)
    mutating func finish(_ worker: Int)
    mutating func backgroundSends()
    mutating func dispatchGrants() throws(SimulationError)
    mutating func armTimer()
}

extension DiscreteEventEngine {
    /// Takes the events in order until none is left.
    mutating func runEvents() throws(SimulationError) {
        while let event = events.popMin() {
            eventCount += 1
            guard eventCount <= maximumEvents else { throw .tooManyEvents(eventCount) }
            if case .gateTimer(let generation) = event.kind, generation != timerGeneration { continue }
            now = event.time
            // When the gate's timer is due now, its grants go before anything else that happens
            // now, so FIFO stays FIFO. Otherwise nothing is due (that is what `nextWakeUp` says)
            // and advancing would only cost time.
            if let armed = armedTimer, armed <= now {
                advanceGates()
                try dispatchGrants()
            }
            switch event.kind {
            case .wantsToSend(let worker):
                workers[worker].wantedAt = now
                try attempt(worker)
            case .retries(let worker):
                try attempt(worker)
            case .arrives(let worker, let ticket):
                try arrive(worker, ticket: ticket)
            case .finishes(let worker):
                finish(worker)
            case .gateTimer:
                armedTimer = nil
            case .backgroundSends:
                backgroundSends()
            }
            try dispatchGrants()
            armTimer()
        }
    }

    mutating func schedule(_ kind: ScheduledEvent.Kind, at time: Instant) {
        events.insert(ScheduledEvent(time: time, sequence: nextSequence, kind: kind))
        nextSequence += 1
    }
}
