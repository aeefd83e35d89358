import TokenGateCore

/// Where one simulated worker is in its list of requests.
struct WorkerProgress: Sendable {
    /// The index of the request it wants to send, or has in flight.
    var current = 0
    /// When it first wanted to send the current request.
    var wantedAt = Instant.zero
    /// The gate's ticket for the request in flight.
    var ticket: TicketID?
    /// When its last request ended.
    var finishedAt: Instant?
}
