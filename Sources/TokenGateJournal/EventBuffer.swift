import DequeModule
import NIOConcurrencyHelpers
import TokenGateCore

/// Journal events waiting to be written: appended on the gate's event loop, taken by the writer.
///
/// Bounded: when it holds `capacity` events, the oldest ones are dropped and counted, so a journal
/// that cannot write (a full disk) never grows the daemon's memory without bound.
final class EventBuffer: Sendable {
    private struct State {
        var events: Deque<JournalEvent> = []
        var dropped: UInt64 = 0

        /// Drops the oldest beyond `capacity`, at least a tenth of it at once (room for a burst).
        mutating func dropBeyond(_ capacity: Int) {
            let excess = events.count - capacity
            guard excess > 0 else { return }
            let amount = min(events.count, max(excess, capacity / 10))
            events.removeFirst(amount)
            dropped += UInt64(amount)
        }
    }

    private let state = NIOLockedValueBox(State())
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
        state.withLockedValue { $0.events.reserveCapacity(min(self.capacity, 4096)) }
    }

    /// Adds one event; drops the oldest when full.
    func append(_ event: JournalEvent) {
        state.withLockedValue { state in
            state.events.append(event)
            state.dropBeyond(capacity)
        }
    }

    /// Takes every buffered event, oldest first.
    func drain() -> [JournalEvent] {
        state.withLockedValue { state in
            let taken = Array(state.events)
            state.events.removeAll()
            return taken
        }
    }

    /// Puts back events that could not be written, ahead of those appended since; drops the
    /// oldest beyond capacity.
    func requeue(_ batch: [JournalEvent]) {
        guard !batch.isEmpty else { return }
        state.withLockedValue { state in
            state.events.prepend(contentsOf: batch)
            state.dropBeyond(capacity)
        }
    }

    /// Events dropped since the buffer was made.
    var droppedCount: UInt64 { state.withLockedValue { $0.dropped } }

    /// Events waiting.
    var count: Int { state.withLockedValue { $0.events.count } }
}
