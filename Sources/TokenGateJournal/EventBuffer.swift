import Foundation
import TokenGateCore

/// Journal events waiting to be written: appended on the gate's event loop, taken by the writer.
///
/// Bounded: when it holds `capacity` events, the oldest ones are dropped and counted, so a journal
/// that cannot write (a full disk) never grows the daemon's memory without bound.
final class EventBuffer: @unchecked Sendable {
    // Every stored property below is guarded by `lock`.
    private let lock = NSLock()
    private var events: [JournalEvent] = []
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
        if events.count >= capacity { dropOldest(events.count - capacity + 1) }
        events.append(event)
    }

    /// Takes every buffered event, oldest first.
    func drain() -> [JournalEvent] {
        lock.lock()
        defer { lock.unlock() }
        var taken: [JournalEvent] = []
        taken.reserveCapacity(min(events.count * 2, capacity))
        swap(&taken, &events)
        return taken
    }

    /// Puts back events that could not be written, ahead of those appended since; drops the
    /// oldest beyond capacity.
    func requeue(_ batch: [JournalEvent]) {
        guard !batch.isEmpty else { return }
        lock.lock()
        defer { lock.unlock() }
        events = batch + events
        if events.count > capacity { dropOldest(events.count - capacity) }
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

    private func dropOldest(_ count: Int) {
        // Drop at least a tenth at once so that a full buffer costs amortized O(1) per append.
        let amount = min(events.count, max(count, capacity / 10))
        events.removeFirst(amount)
        dropped += UInt64(amount)
    }
}
