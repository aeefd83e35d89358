import TokenGateCore
import TokenGateWire

/// What the HTTP gateway needs of the daemon's gate: the wire operations, in process. The server
/// implements it over its gate host (the calls run on the gate's event loop, with a hop there and
/// back from the gateway's own loop); the gateway module depends on this protocol
/// only, never on the host.
///
/// Settling calls (`report`, `release`, `observe`, `throttled`) run on the gate's loop in the order
/// they are made and return once applied, so a status read after one of them returns sees its
/// effect; they do not respond to cancellation, so a request being cancelled still settles its
/// ticket.
public protocol GatewayGate: Sendable {
    /// Waits for a grant of `request.estimate` for `request.worker` until `request.maxWait`.
    /// Cancelling the calling task withdraws the acquire (a grant already made is returned).
    func acquire(_ request: GatewayAcquire) async -> GatewayAcquireOutcome
    /// The usage a granted request really cost (`ticket` nil: one made without a grant).
    func report(ticket: String?, usage: Usage, worker: String, model: String?) async
    /// Drops a ticket's reservation: the request never reached the provider.
    func release(ticket: String) async
    /// A provider response's headers (rate-limit figures, `retry-after`).
    func observe(headers: [String: String], worker: String, model: String?) async
    /// The provider answered 429: no grants for `retryAfterMs`.
    func throttled(retryAfterMs: Int64, worker: String, model: String?) async
    /// Makes the gateway's figures part of every Status object (`gateway`).
    func attach(status source: any GatewayStatusSource)
}

/// One gated request's ask.
public struct GatewayAcquire: Sendable {
    public var worker: String
    public var estimate: Estimate
    /// The pool-selecting model of the request body (kept for pools; the gate may ignore it).
    public var model: String?
    /// `high`, `normal` or `low` from `x-tokengate-priority`: the acquire's priority (normal when
    /// absent).
    public var priority: String?
    /// The longest the request may wait for its grant.
    public var maxWait: TimeSpan

    public init(worker: String, estimate: Estimate, model: String? = nil, priority: String? = nil, maxWait: TimeSpan) {
        self.worker = worker
        self.estimate = estimate
        self.model = model
        self.priority = priority
        self.maxWait = maxWait
    }
}

/// How a gateway acquire ended.
public enum GatewayAcquireOutcome: Sendable, Equatable {
    /// Granted after `waitedMs` in the queue.
    case granted(ticket: String, waitedMs: Int64)
    /// No grant within the request's longest wait; `retryAfterMs` is when trying again may help.
    case timedOut(retryAfterMs: Int64)
    /// The calling task was cancelled while it waited.
    case cancelled
    /// The daemon is stopping.
    case shuttingDown
    /// The organisation's shared admission in Redis refused the acquire for good (`serve --redis`).
    case refused(reason: String)
}

/// Gives the gateway's figures to the Status object; called on the gate's event loop, so it
/// must be cheap and must not block.
public protocol GatewayStatusSource: Sendable {
    func gatewayStatus() -> GatewayStatus
    /// The gateway's running totals for `--metrics`.
    func gatewayMetrics() -> GatewayMetricsFigures
}

/// The gateway's running totals, for the metrics endpoint.
public struct GatewayMetricsFigures: Sendable, Equatable {
    public var requests: Int64
    public var inFlight: Int64
    public var errors: Int64
    /// Time from sending requests upstream to their response heads, summed, in seconds.
    public var upstreamLatencySumSeconds: Double
    /// Responses the upstream gave (the count that latency sum is over).
    public var upstreamResponses: Int64

    public init(requests: Int64, inFlight: Int64, errors: Int64, upstreamLatencySumSeconds: Double, upstreamResponses: Int64) {
        self.requests = requests
        self.inFlight = inFlight
        self.errors = errors
        self.upstreamLatencySumSeconds = upstreamLatencySumSeconds
        self.upstreamResponses = upstreamResponses
    }
}
