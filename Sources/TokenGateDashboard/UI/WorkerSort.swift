import TokenGateWire

/// The order of the workers table; `s` cycles through the cases.
public enum WorkerSort: String, Sendable, CaseIterable {
    /// Most tokens used in the window first.
    case used
    /// Most requests first.
    case requests
    /// Most tickets in flight first.
    case inFlight = "in flight"
    /// Most queued acquires first.
    case waiting
    /// Most recently seen first.
    case lastSeen = "last seen"
    /// Alphabetical.
    case name

    /// The next order in the cycle.
    public var next: WorkerSort {
        let all = WorkerSort.allCases
        return all[(all.firstIndex(of: self)! + 1) % all.count]
    }

    /// The previous order in the cycle.
    public var previous: WorkerSort {
        let all = WorkerSort.allCases
        return all[(all.firstIndex(of: self)! + all.count - 1) % all.count]
    }

    /// Whether the column reads as ascending (names A-Z, last seen most recent first).
    public var isAscending: Bool { self == .name || self == .lastSeen }

    /// `workers` in this order; ties broken by name so the order is stable between snapshots.
    public func sorted(_ workers: [WorkerStatus]) -> [WorkerStatus] {
        workers.sorted { a, b in
            switch self {
            case .used where a.used != b.used: return a.used > b.used
            case .requests where a.requests != b.requests: return a.requests > b.requests
            case .inFlight where a.inFlight != b.inFlight: return a.inFlight > b.inFlight
            case .waiting where a.waiting != b.waiting: return a.waiting > b.waiting
            case .lastSeen where a.lastSeenMsAgo != b.lastSeenMsAgo: return a.lastSeenMsAgo < b.lastSeenMsAgo
            default: return WorkerSort.naturalLess(a.worker, b.worker)
            }
        }
    }

    /// Name order with runs of digits compared as numbers: `crawler-9` < `crawler-10`.
    public static func naturalLess(_ a: String, _ b: String) -> Bool {
        var left = a.unicodeScalars.makeIterator()
        var right = b.unicodeScalars.makeIterator()
        var x = left.next()
        var y = right.next()
        while let l = x, let r = y {
            if l.properties.numericType == .decimal, r.properties.numericType == .decimal, l.isASCII, r.isASCII {
                var leftDigits = ""
                var rightDigits = ""
                while let digit = x, digit.isASCII, ("0"..."9").contains(digit) {
                    leftDigits.unicodeScalars.append(digit)
                    x = left.next()
                }
                while let digit = y, digit.isASCII, ("0"..."9").contains(digit) {
                    rightDigits.unicodeScalars.append(digit)
                    y = right.next()
                }
                let leftTrimmed = leftDigits.drop { $0 == "0" }
                let rightTrimmed = rightDigits.drop { $0 == "0" }
                if leftTrimmed.count != rightTrimmed.count { return leftTrimmed.count < rightTrimmed.count }
                if leftTrimmed != rightTrimmed { return leftTrimmed < rightTrimmed }
                if leftDigits.count != rightDigits.count { return leftDigits.count < rightDigits.count }
                continue
            }
            if l != r { return l.value < r.value }
            x = left.next()
            y = right.next()
        }
        return x == nil && y != nil
    }
}
