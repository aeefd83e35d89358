/// The steps the daemon rounds grant waits up to for the wait p99 of `rates`: 0 ms, then a
/// 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 series per decade up to an hour (each step at most a third
/// above the one before). A wait longer than the last step falls in one more, open bucket.
enum WaitSteps {
    /// Upper bounds in milliseconds, ascending.
    static let bounds: [Int64] = {
        let mantissas: [Int64] = [10, 12, 15, 20, 25, 30, 40, 50, 60, 80]
        var bounds: [Int64] = [0, 1, 2, 3, 4, 5, 6, 8]
        var scale: Int64 = 1
        while true {
            for mantissa in mantissas {
                let bound = mantissa * scale
                if bound > 3_600_000 { return bounds }
                bounds.append(bound)
            }
            scale *= 10
        }
    }()

    /// The buckets: one per bound, plus the open one above the last.
    static var count: Int { bounds.count + 1 }

    /// The bucket of a wait of `milliseconds`: the first bound at or above it.
    static func bucket(ofMilliseconds milliseconds: Int64) -> Int {
        var low = 0
        var high = bounds.count
        while low < high {
            let middle = (low + high) / 2
            if bounds[middle] < milliseconds { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
