import TokenGateCore

/// What a simulation measures while it runs.
struct RunMetrics: Sendable {
    /// Per served request: from wanting to send to the provider accepting it, in nanoseconds.
    var waits: [Int64] = []
    /// Per served request: when it was sent (nanoseconds) and its tokens, in sending order.
    var sentAt: [Int64] = []
    var sentTokens: [Int64] = []
    /// 429s.
    var overshoots = 0
    /// Tokens the unseen background consumer got served, and the 429s it got.
    var backgroundTokens: Int64 = 0
    var backgroundRefusals = 0
    /// Workers done with their whole list.
    var finishedWorkers = 0
    /// Requests offered to the provider, refused ones included.
    var attempts = 0
    /// Events processed, stale timers included.
    var events = 0
    /// Timers the gate asked for at or before the current instant right after being advanced to
    /// it (would loop forever; run 1 ns later instead). Always 0 unless the gate has a bug.
    var stalledWakeUps = 0
    /// Settles of tickets the gate no longer held (a lease expired). Always 0: the lease outlasts
    /// every request.
    var unknownTickets = 0
    /// When the last request ended.
    var makespan = Instant.zero
    /// When the first worker finished its whole list.
    var firstWorkerDone: Instant?
}
