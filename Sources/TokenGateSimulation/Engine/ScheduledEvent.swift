import TokenGateCore

/// Something that happens at an instant of virtual time. Events at the same instant happen in the
/// order they were scheduled (`sequence`), so a run is the same every time.
struct ScheduledEvent: Comparable, Sendable {
    enum Kind: Sendable {
        /// The worker wants to send its next request (after its start offset or think time).
        case wantsToSend(worker: Int)
        /// The worker tries again after a 429's retry-after (no limiter, seed).
        case retries(worker: Int)
        /// The worker's request, granted a moment ago, reaches the provider.
        case arrives(worker: Int, ticket: TicketID?)
        /// The worker's request ends; its usage is known now.
        case finishes(worker: Int)
        /// The gate's single timer, armed at `nextWakeUp`; stale when its generation is not current.
        case gateTimer(generation: UInt64)
        /// The unseen background consumer sends its next request (or retries after a 429).
        case backgroundSends
    }

    let time: Instant
    let sequence: UInt64
    let kind: Kind

    static func < (lhs: ScheduledEvent, rhs: ScheduledEvent) -> Bool {
        (lhs.time, lhs.sequence) < (rhs.time, rhs.sequence)
    }

    static func == (lhs: ScheduledEvent, rhs: ScheduledEvent) -> Bool {
        lhs.time == rhs.time && lhs.sequence == rhs.sequence
    }
}
