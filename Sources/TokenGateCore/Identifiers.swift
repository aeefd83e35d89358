/// A granted reservation, handed to the worker to report or release.
public struct TicketID: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }
    public var description: String { "ticket-\(rawValue)" }
}

/// A queued acquire.
public struct WaiterID: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }
    public var description: String { "waiter-\(rawValue)" }
}

/// Who holds waiters and tickets on behalf of workers (a socket connection, say): withdrawing it
/// drops its waiters and releases its tickets.
public struct OwnerID: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }
    public var description: String { "owner-\(rawValue)" }
}
