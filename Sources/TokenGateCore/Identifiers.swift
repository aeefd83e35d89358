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

/// How a gate numbers its tickets and waiters: `first`, `first + stride`, ... The gates of a
/// `PoolSet` share one numbering this way, gate `index` of `count` taking every `count`-th number,
/// so an identifier alone says which gate it belongs to.
public struct IdentifierSpace: Hashable, Sendable {
    public let first: UInt64
    public let stride: UInt64

    /// The numbers of gate `index` among `count` gates.
    public init(index: Int, count: Int) {
        stride = UInt64(max(1, count))
        first = UInt64(max(0, index)) + 1
    }

    /// One gate alone: 1, 2, 3, ...
    public static let single = IdentifierSpace(index: 0, count: 1)

    /// The gate (among `stride` of them) that numbered `raw`.
    public func index(of raw: UInt64) -> Int { Int((max(1, raw) - 1) % stride) }
}
