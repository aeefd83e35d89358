import NIOCore
import TokenGateCore
import TokenGateWire

/// One client connection as the daemon keeps it. Lives on the gate's event loop.
final class Session {
    let id: OwnerID
    let channel: Channel
    let peer: PeerCredentials
    /// The connection's worker name: set by `hello`, else `pid-<peer pid>`.
    var worker: String
    /// Every worker name used on this connection, for the `connected` flag of status.
    var workerNames: Set<String>
    /// Acquires of this connection still waiting, by waiter.
    var pendingAcquires: [WaiterID: RequestID?] = [:]
    var subscription: Subscription?
    /// Replies written since the last flush.
    var needsFlush = false
    var isClosed = false

    init(id: OwnerID, channel: Channel, peer: PeerCredentials) {
        self.id = id
        self.channel = channel
        self.peer = peer
        self.worker = "pid-\(peer.pid)"
        self.workerNames = [worker]
    }

    /// Queues one reply line; it goes out at the next `flush()`.
    func write(_ bytes: [UInt8]) {
        guard !isClosed else { return }
        channel.write(channel.allocator.buffer(bytes: bytes), promise: nil)
        needsFlush = true
    }

    /// Sends what was written.
    func flush() {
        guard needsFlush, !isClosed else { return }
        needsFlush = false
        channel.flush()
    }

    /// Writes and flushes one line at once (grants and events that arrive outside a read).
    func send(_ bytes: [UInt8]) {
        write(bytes)
        flush()
    }

    /// The bytes written but not yet taken by the peer.
    var unsentBytes: Int {
        (try? channel.syncOptions?.getOption(.bufferedWritableBytes)) ?? 0
    }
}

/// A `subscribe` on one connection.
struct Subscription {
    var interval: TimeSpan
    var timer: Scheduled<Void>?
    /// Since when a snapshot has been waiting unsent (the subscriber is behind), if it is.
    var behindSince: Instant?
}
