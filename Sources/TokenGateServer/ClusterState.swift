import NIOCore
import TokenGateCore
import TokenGateRedis

/// What the gate host keeps about the organisation (`serve --redis`): its link to Redis, which
/// local waiters and tickets are which shared ids, the calls kept while Redis is unreachable, and
/// one timer per pool on the instant Redis said its queue's head becomes admissible.
final class ClusterState {
    let link: SharedLink
    /// Prefixes every shared id this daemon makes (`HOST/TICKETPREFIX-`): unique in the
    /// organisation and across this host's restarts.
    let idPrefix: String
    var nextNumber: UInt64 = 1
    /// Whether the last call or heartbeat reached Redis.
    var isConnected = false
    var lastError: String?
    /// Every live host as of the last heartbeat.
    var hosts: [SharedHost] = []
    /// Every pool's shared window as of the last heartbeat, by pool name.
    var windows: [String: SharedPoolLoad] = [:]
    /// Queued local waiters by shared id, and back.
    var waiters: [String: (pool: Int, waiter: WaiterID)] = [:]
    var waiterIDs: [WaiterID: String] = [:]
    /// Tickets granted through Redis by local ticket, and back.
    var tickets: [TicketID: (pool: Int, id: String)] = [:]
    var ticketIDs: [String: TicketID] = [:]
    /// What this host holds in the shared windows, put back when Redis restarted empty.
    var books = SharedBooks()
    /// Calls Redis could not take, in the order they were made; sent again when it is back.
    var kept: [SharedCall] = []
    /// An acquire failed in a way that may pass later (the pool was not declared yet): every
    /// waiter asks again at the next heartbeat.
    var resendsAcquires = false
    /// Calls sent and not answered yet.
    var inFlight = 0
    var wakeTimers: [String: (at: NIODeadline, task: Scheduled<Void>)] = [:]

    init(link: SharedLink, ticketPrefix: String) {
        self.link = link
        idPrefix = "\(link.cluster.hostName)/\(ticketPrefix)-"
    }

    /// A new shared id.
    func makeID() -> String {
        defer { nextNumber += 1 }
        return "\(idPrefix)\(nextNumber)"
    }
}
