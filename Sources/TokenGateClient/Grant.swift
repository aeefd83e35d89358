/// A grant from the daemon: permission to send one request, holding a reservation of its estimate
/// until it is settled with ``TokenGateClient/report(_:input:output:cacheCreation:cacheRead:model:worker:)``
/// or ``TokenGateClient/release(_:)``.
///
/// A grant is delivered exactly once, even when its acquire was re-issued after a reconnect.
public struct Grant: Sendable, Hashable, CustomStringConvertible {
    /// The daemon's ticket for this grant; give it to `report` or `release`.
    public let ticket: String
    /// How long the grant took, in milliseconds: the daemon's `waited_ms`, plus the time the acquire
    /// spent before being re-issued when the connection was lost while it waited.
    public let waitedMs: Int64

    /// A grant with this ticket and wait.
    public init(ticket: String, waitedMs: Int64) {
        self.ticket = ticket
        self.waitedMs = waitedMs
    }

    /// The ticket and the wait, for logs.
    public var description: String { "\(ticket) (waited \(waitedMs) ms)" }
}
