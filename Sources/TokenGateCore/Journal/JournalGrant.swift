/// One grant as the journal keeps it until its ticket is closed: what it reserved and until when.
public struct JournalGrant: Sendable, Equatable {
    /// Unix time of the grant, in milliseconds.
    public var wallMilliseconds: Int64
    /// The ticket as the worker knows it.
    public var ticket: String
    public var worker: String
    /// The reserved amounts per budget.
    public var tokens: Int64
    public var input: Int64
    public var output: Int64
    public var requests: Int64
    /// Unix time, in milliseconds, at which the lease ends.
    public var leaseUntilMilliseconds: Int64
    /// The pool that granted it; nil in journals from before pools were journaled (`default`).
    public var pool: String?

    public init(
        wallMilliseconds: Int64, ticket: String, worker: String, tokens: Int64, input: Int64, output: Int64,
        requests: Int64, leaseUntilMilliseconds: Int64, pool: String? = nil
    ) {
        self.wallMilliseconds = wallMilliseconds
        self.ticket = ticket
        self.worker = worker
        self.tokens = tokens
        self.input = input
        self.output = output
        self.requests = requests
        self.leaseUntilMilliseconds = leaseUntilMilliseconds
        self.pool = pool
    }
}
