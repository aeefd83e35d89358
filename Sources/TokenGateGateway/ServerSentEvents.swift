import NIOCore

/// Cuts a `text/event-stream` body into whole events (each with the blank line that ends it)
/// however the chunks fall. Holds at most `maximumEventBytes` of an unfinished event; past that
/// it gives up (`overflowed`) and hands back what it held.
struct ServerSentEvents {
    private(set) var pending: [UInt8] = []
    private(set) var overflowed = false
    let maximumEventBytes: Int

    init(maximumEventBytes: Int = 4 * 1024 * 1024) {
        self.maximumEventBytes = maximumEventBytes
    }

    /// Appends `chunk` and returns the events it completed. After an overflow, returns the
    /// held bytes once and then nothing (the caller passes chunks on unread).
    mutating func take(_ chunk: ByteBuffer) -> [[UInt8]] {
        guard !overflowed else { return [] }
        let start = max(0, pending.count - 3)
        pending.append(contentsOf: chunk.readableBytesView)
        var events: [[UInt8]] = []
        var eventStart = 0
        var index = start
        while index < pending.count {
            if pending[index] == 0x0A {
                // "\n\n" or "\n\r\n" ends an event.
                if index + 1 < pending.count, pending[index + 1] == 0x0A {
                    events.append(Array(pending[eventStart...index + 1]))
                    eventStart = index + 2
                    index += 2
                    continue
                }
                if index + 2 < pending.count, pending[index + 1] == 0x0D, pending[index + 2] == 0x0A {
                    events.append(Array(pending[eventStart...index + 2]))
                    eventStart = index + 3
                    index += 3
                    continue
                }
            }
            index += 1
        }
        if eventStart > 0 { pending.removeFirst(eventStart) }
        if pending.count > maximumEventBytes {
            overflowed = true
            events.append(pending)
            pending = []
        }
        return events
    }

    /// What is left at the end of the body (an event without its blank line).
    mutating func rest() -> [UInt8] {
        defer { pending = [] }
        return pending
    }

    /// The data of one event: its `data:` lines joined by newlines (nil when it has none).
    static func data(of event: [UInt8]) -> [UInt8]? {
        var data: [UInt8]?
        var lineStart = 0
        var index = 0
        while index <= event.count {
            if index == event.count || event[index] == 0x0A {
                var line = event[lineStart..<index]
                if line.last == 0x0D { line = line.dropLast() }
                if line.starts(with: Self.dataPrefix) {
                    var value = line.dropFirst(Self.dataPrefix.count)
                    if value.first == 0x20 { value = value.dropFirst() }
                    if data == nil { data = [] } else { data?.append(0x0A) }
                    data?.append(contentsOf: value)
                }
                lineStart = index + 1
            }
            index += 1
        }
        return data
    }

    private static let dataPrefix = Array("data:".utf8)
}
