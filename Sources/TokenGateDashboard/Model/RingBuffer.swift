/// A fixed-capacity FIFO that overwrites its oldest element: bounded memory however long the
/// dashboard runs.
struct RingBuffer<Element: Sendable>: Sendable {
    private var storage: [Element] = []
    private var start = 0
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
        storage.reserveCapacity(self.capacity)
    }

    var count: Int { storage.count }
    var isEmpty: Bool { storage.isEmpty }

    /// The element `index` places after the oldest.
    subscript(index: Int) -> Element {
        get { storage[(start + index) % storage.count] }
        set { storage[(start + index) % storage.count] = newValue }
    }

    var last: Element? { isEmpty ? nil : self[count - 1] }

    mutating func append(_ element: Element) {
        if storage.count < capacity {
            storage.append(element)
        } else {
            storage[start] = element
            start = (start + 1) % capacity
        }
    }

    /// The elements, oldest first.
    var elements: [Element] { (0..<count).map { self[$0] } }
}
