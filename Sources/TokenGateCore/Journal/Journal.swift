/// Something that happened and belongs in the durable journal: usage as it was reported, and
/// operator or provider actions.
public enum JournalEvent: Sendable, Equatable {
    /// One recorded usage. `wallMilliseconds` is the Unix time of the record.
    case usage(JournalUsage)
    /// An operator or provider action: pause, resume, limit change, cooldown.
    case action(JournalAction)
    /// A grant: its reservation stands until the ticket is closed, and a restart must keep it.
    case grant(JournalGrant)
    /// A ticket was reported, released or withdrawn: its reservation is gone.
    case ticketClosed(ticket: String)
}

/// One recorded usage as the journal keeps it.
public struct JournalUsage: Sendable, Equatable {
    public var wallMilliseconds: Int64
    public var worker: String
    public var ticket: String?
    public var input: Int64
    public var output: Int64
    public var cacheCreation: Int64
    public var cacheRead: Int64
    public var model: String?
    /// The pool the usage counted in; nil in journals from before pools were journaled (the
    /// model's pool, else `default`).
    public var pool: String?

    public init(
        wallMilliseconds: Int64, worker: String, ticket: String?, input: Int64, output: Int64, cacheCreation: Int64,
        cacheRead: Int64, model: String?, pool: String? = nil
    ) {
        self.wallMilliseconds = wallMilliseconds
        self.worker = worker
        self.ticket = ticket
        self.input = input
        self.output = output
        self.cacheCreation = cacheCreation
        self.cacheRead = cacheRead
        self.model = model
        self.pool = pool
    }
}

/// One operator or provider action as the journal keeps it.
public struct JournalAction: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        case pause, resume, limit, cooldown
        /// Contract v2: one worker paused, resumed or capped (detail: `worker=NAME[ cap=F|none]`).
        case workerPause = "worker_pause"
        case workerResume = "worker_resume"
        case workerCap = "worker_cap"
    }

    public var wallMilliseconds: Int64
    public var kind: Kind
    /// Who did it (a worker name).
    public var actor: String
    /// Free text: the new limit and threshold, the cooldown's end, ...
    public var detail: String
    /// The pool acted on. nil: every pool for a pause or resume, `default` for a limit change or
    /// a cooldown (and every action of a journal from before pools were journaled).
    public var pool: String?

    public init(wallMilliseconds: Int64, kind: Kind, actor: String, detail: String, pool: String? = nil) {
        self.wallMilliseconds = wallMilliseconds
        self.kind = kind
        self.actor = actor
        self.detail = detail
        self.pool = pool
    }
}

/// Where the daemon appends journal events. `append` is called on the gate's event loop for every
/// report and action, so it must return at once (buffer, and write elsewhere): a slow disk never
/// delays a grant.
public protocol JournalSink: Sendable {
    func append(_ event: JournalEvent)
    /// Whether the journal is failing (the daemon then keeps limiting in memory and says so).
    var degradedReason: String? { get }
    /// Where the journal writes (a file path), shown in status; nil when it has no such place.
    var location: String? { get }
}

extension JournalSink {
    /// No location by default.
    public var location: String? { nil }
}

/// What a journal hands back at start: the usage still inside the window, whether the gate was
/// paused, the grants of the window that were never closed (their usage is still to come), and
/// the last limit or threshold change, of every pool.
public struct JournalRecovery: Sendable, Equatable {
    public var usage: [JournalUsage]
    /// Whether the last pause or resume of every pool was a pause.
    public var paused: Bool
    public var openGrants: [JournalGrant]
    /// The last `limit` action of `default`, however old; nil when there is none.
    public var limitChange: JournalLimitChange?
    /// By pool name: whether that pool's own last pause or resume, made after the last one of
    /// every pool, was a pause (pools acted on alone since).
    public var poolPauses: [String: Bool]
    /// By pool name (never `default`): the last `limit` action of that pool, however old.
    public var poolLimitChanges: [String: JournalLimitChange]
    /// The workers an operator left paused or capped, by name, however long ago.
    public var workerControls: [String: JournalWorkerControl]

    public init(
        usage: [JournalUsage], paused: Bool, openGrants: [JournalGrant] = [], limitChange: JournalLimitChange? = nil,
        poolPauses: [String: Bool] = [:], poolLimitChanges: [String: JournalLimitChange] = [:],
        workerControls: [String: JournalWorkerControl] = [:]
    ) {
        self.usage = usage
        self.paused = paused
        self.openGrants = openGrants
        self.limitChange = limitChange
        self.poolPauses = poolPauses
        self.poolLimitChanges = poolLimitChanges
        self.workerControls = workerControls
    }
}
