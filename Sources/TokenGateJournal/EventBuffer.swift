import DequeModule
import Foundation
import TokenGateCore

/// Journal events waiting to be written: appended on the gate's event loop, taken by the writer.
///
/// Bounded: when it holds `capacity` events, the oldest ones are dropped and counted, so a journal
/// that cannot write (a full disk) never grows the daemon's memory without bound.
final class EventBuffer: @unchecked Sendable {
    // Every stored property below is guarded by `lock`.
    private let lock = NSLock()
    private var events: Deque<JournalEvent> = []
    private var dropped: UInt64 = 0
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
        events.reserveCapacity(min(self.capacity, 4096))
    }

    /// Adds one event; drops the oldest when full.
    func append(_ event: JournalEvent) {
        lock.lock()
        defer { lock.unlock() }
        events.append(event)
        dropBeyondCapacity()
    }

    /// Takes every buffered event, oldest first.
    func drain() -> [JournalEvent] {
        lock.lock()
        defer { lock.unlock() }
        let taken = Array(events)
        events.removeAll()
        return taken
    }

    /// Puts back events that could not be written, ahead of those appended since; drops the
    /// oldest beyond capacity.
    func requeue(_ batch: [JournalEvent]) {
        guard !batch.isEmpty else { return }
        lock.lock()
        defer { lock.unlock() }
        events.prepend(contentsOf: batch)
        dropBeyondCapacity()
    }

    /// Events dropped since the buffer was made.
    var droppedCount: UInt64 {
        lock.lock()
        defer { lock.unlock() }
        return dropped
    }

    /// Events waiting.
    var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return events.count
    }

    private func dropBeyondCapacity() {
        let excess = events.count - capacity
        guard excess > 0 else { return }
        events.removeFirst(excess)
        dropped += UInt64(excess)
    }
}
