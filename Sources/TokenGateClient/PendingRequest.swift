import NIOCore
import TokenGateWire

/// A request the client accepted and has not answered yet: sent and awaiting its reply, or held
/// until a connection is ready.
struct PendingRequest: Sendable {
    /// Who is waiting for the reply.
    enum Completion: Sendable {
        /// A caller awaits the reply.
        case caller(CheckedContinuation<Reply, any Error>)
        /// An acquire whose caller was cancelled: a grant that still arrives is released at once.
        case abandonedAcquire
        /// The `hello` that opens a connection.
        case hello
        /// A `subscribe`, for these subscribers (one new subscriber, or all of them after a
        /// (re)connect).
        case subscribe(subscribers: [Int])
    }

    /// The request's id on the wire.
    let id: Int64
    /// What is asked; for a re-issued acquire, `timeout_ms` is what is left of the caller's timeout.
    var operation: Request.Operation
    /// Who gets the reply.
    var completion: Completion
    /// Contract v2: the pool the request is about.
    var target: PoolTarget = .unspecified
    /// When the caller made the request (for a grant's client-side wait).
    let submittedAt: NIODeadline
    /// When the request was last written to a connection.
    var sentAt: NIODeadline?
    /// For an acquire with a timeout: when the caller stops waiting.
    let deadline: NIODeadline?

    init(id: Int64, operation: Request.Operation, completion: Completion, now: NIODeadline) {
        self.id = id
        self.operation = operation
        self.completion = completion
        self.submittedAt = now
        if case .acquire(let fields) = operation, let timeoutMs = fields.timeoutMs {
            self.deadline = now + .milliseconds(max(0, timeoutMs))
        } else {
            self.deadline = nil
        }
    }

    /// Whether this is an acquire.
    var isAcquire: Bool {
        if case .acquire = operation { return true }
        return false
    }

    /// Whether a caller still awaits the reply.
    var caller: CheckedContinuation<Reply, any Error>? {
        if case .caller(let continuation) = completion { return continuation }
        return nil
    }

    /// The request as one protocol line.
    func encodeLine() -> [UInt8] {
        Request(id: .integer(id), operation, target: target).encodeLine()
    }

    /// Prepares an acquire for (re)sending at `now`: `timeout_ms` becomes what is left of the
    /// caller's timeout (0 at worst the first time: the daemon then grants at once or answers
    /// `timeout`). Returns `false` when a re-issue has nothing left: the acquire has timed out.
    mutating func prepareToSend(now: NIODeadline) -> Bool {
        let isFirstSend = sentAt == nil
        sentAt = now
        guard let deadline, case .acquire(var fields) = operation, let timeoutMs = fields.timeoutMs else {
            return true
        }
        let remainingNanos = (deadline - now).nanoseconds
        if remainingNanos <= 0 && !isFirstSend { return false }
        let remainingMs = max(0, remainingNanos / 1_000_000 + (remainingNanos % 1_000_000 == 0 ? 0 : 1))
        fields.timeoutMs = min(timeoutMs, remainingMs)
        operation = .acquire(fields)
        return true
    }

    /// The time between the request and its last sending, in milliseconds: what a re-issued acquire
    /// waited before the daemon that granted it heard of it.
    var millisecondsBeforeLastSend: Int64 {
        guard let sentAt else { return 0 }
        return max(0, (sentAt - submittedAt).nanoseconds / 1_000_000)
    }
}
