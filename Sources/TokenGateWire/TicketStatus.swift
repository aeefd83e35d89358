/// Addition to contract v2: one of a worker's tickets in flight (Status worker `tickets`).
public struct TicketStatus: Codable, Sendable, Equatable {
    /// The ticket, as the grant gave it.
    public var ticket: String
    /// How long ago it was granted.
    public var ageMs: Int64
    /// What it holds of the `tokens` budget.
    public var reserved: Int64
    /// The pool that granted it.
    public var pool: String

    public init(ticket: String, ageMs: Int64, reserved: Int64, pool: String) {
        self.ticket = ticket
        self.ageMs = ageMs
        self.reserved = reserved
        self.pool = pool
    }

    enum CodingKeys: String, CodingKey {
        case ticket
        case ageMs = "age_ms"
        case reserved, pool
    }
}
