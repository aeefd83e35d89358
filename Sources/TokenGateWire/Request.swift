import TokenGateCore

/// One request line: an optional id and the operation with its validated fields.
///
/// Daemons get one from `Request.decode(line:)`; clients build one and send `encodeLine()`.
public struct Request: Sendable, Equatable {
    /// The client's id for this request, echoed in the reply; `nil` when the request had none (or
    /// `"id": null`).
    public var id: RequestID?
    /// What the client asks for.
    public var operation: Operation
    /// Contract v2: the pool the request is about (ignored by the ops that take none).
    public var target: PoolTarget

    public init(id: RequestID? = nil, _ operation: Operation, target: PoolTarget = .unspecified) {
        self.id = id
        self.operation = operation
        self.target = target
    }

    /// The operations of the contract, each with its fields, already validated when decoded.
    public enum Operation: Sendable, Equatable {
        /// Names the connection's worker; `v` is always `WireLimits.protocolVersion`.
        case hello(worker: String)
        /// Asks for a grant.
        case acquire(Acquire)
        /// Reports what a request really cost.
        case report(Report)
        /// Drops a reservation without recording usage.
        case release(ticket: String)
        /// The provider answered 429.
        case throttled(Throttled)
        /// Provider response headers for the daemon to read (`anthropic-ratelimit-*`, `retry-after`).
        /// Names are kept as received (HTTP header names are case-insensitive: compare accordingly);
        /// a name given twice keeps its last value.
        case observe(headers: [String: String])
        /// Asks for the Status object.
        case status
        /// Asks for a snapshot event every `intervalMs` (>= 50, default 250) and on every change;
        /// with `history` (an addition to contract v2), the first snapshot carries the window's fill
        /// per second over the last window.
        case subscribe(intervalMs: Int64, history: Bool = false)
        /// Stops new grants.
        case pause
        /// Resumes grants.
        case resume
        /// Changes the `tokens` limit and/or the threshold.
        case setLimit(SetLimit)
        /// Contract v2: `pause` with `worker`: that worker's queued acquires keep their place but
        /// are passed over, in every pool; its tickets in flight finish.
        case pauseWorker(String)
        /// Contract v2: `resume` with `worker`: that worker's queued acquires go again.
        case resumeWorker(String)
        /// Contract v2: `set_limit` with `worker` and `cap`: that worker's used + reserved stays
        /// within `cap` x limit (in every pool and budget); a nil cap (`"cap": null`) clears it.
        case setWorkerCap(worker: String, cap: Double?)

        /// The `op` string of this operation.
        public var name: Name {
            switch self {
            case .hello: return .hello
            case .acquire: return .acquire
            case .report: return .report
            case .release: return .release
            case .throttled: return .throttled
            case .observe: return .observe
            case .status: return .status
            case .subscribe: return .subscribe
            case .pause, .pauseWorker: return .pause
            case .resume, .resumeWorker: return .resume
            case .setLimit, .setWorkerCap: return .setLimit
            }
        }

        /// Whether this is a pause, resume or cap of one worker.
        public var isWorkerControl: Bool {
            switch self {
            case .pauseWorker, .resumeWorker, .setWorkerCap: true
            default: false
            }
        }

        /// The `op` strings; the raw values are what travels on the wire.
        public enum Name: String, Sendable, Hashable, CaseIterable {
            case hello, acquire, report, release, throttled, observe, status, subscribe, pause, resume
            case setLimit = "set_limit"
        }
    }

    /// The fields of `acquire`. Every field is optional: without an estimate the daemon uses the
    /// recent mean cost; without a timeout the acquire waits until granted or withdrawn.
    public struct Acquire: Sendable, Equatable {
        /// Estimate of the total tokens (`tokens` budget).
        public var tokens: Int64?
        /// Estimate of input tokens.
        public var input: Int64?
        /// Estimate of output tokens.
        public var output: Int64?
        /// Give up with `timeout` after this many milliseconds.
        public var timeoutMs: Int64?
        /// Overrides the connection's worker name for this request.
        public var worker: String?
        /// Contract v2: how urgent the acquire is; nil (not sent) means `normal`.
        public var priority: Priority?

        public init(
            tokens: Int64? = nil, input: Int64? = nil, output: Int64? = nil, timeoutMs: Int64? = nil,
            worker: String? = nil, priority: Priority? = nil
        ) {
            self.tokens = tokens
            self.input = input
            self.output = output
            self.timeoutMs = timeoutMs
            self.worker = worker
            self.priority = priority
        }
    }

    /// The fields of `report`.
    public struct Report: Sendable, Equatable {
        /// The grant this usage settles; without one the usage is recorded as a ticketless request.
        public var ticket: String?
        /// Input tokens actually consumed.
        public var input: Int64
        /// Output tokens actually produced.
        public var output: Int64
        /// Tokens written to the prompt cache (counted as input by the `tokens` budget).
        public var cacheCreation: Int64?
        /// Tokens read from the prompt cache.
        public var cacheRead: Int64?
        /// Overrides the connection's worker name for this request.
        public var worker: String?
        /// Addition to contract v1: the model the request went to, for accounting.
        public var model: String?

        public init(
            ticket: String? = nil, input: Int64, output: Int64, cacheCreation: Int64? = nil,
            cacheRead: Int64? = nil, worker: String? = nil, model: String? = nil
        ) {
            self.ticket = ticket
            self.input = input
            self.output = output
            self.cacheCreation = cacheCreation
            self.cacheRead = cacheRead
            self.worker = worker
            self.model = model
        }
    }

    /// The fields of `throttled`.
    public struct Throttled: Sendable, Equatable {
        /// How long the provider asked to wait.
        public var retryAfterMs: Int64
        /// The budget the 429 was about, when known.
        public var budget: BudgetKind?

        public init(retryAfterMs: Int64, budget: BudgetKind? = nil) {
            self.retryAfterMs = retryAfterMs
            self.budget = budget
        }
    }

    /// The fields of `set_limit`; at least one is present.
    public struct SetLimit: Sendable, Equatable {
        /// The new `tokens` limit per window, 1 to 2^53-1.
        public var limit: Int64?
        /// The new threshold, in (0, 1].
        public var threshold: Double?

        public init(limit: Int64? = nil, threshold: Double? = nil) {
            self.limit = limit
            self.threshold = threshold
        }
    }
}
