import Foundation
import TokenGateCore
import TokenGateSimulation

/// A simulated provider (`SlidingWindowProvider` or `TokenBucketProvider`) on the wall clock, shared
/// by the tasks of `bench fleet`: each request offered to it is charged, or refused with a 429, at
/// the instant it arrives.
actor WallClockProvider {
    private var window: SlidingWindowProvider?
    private var bucket: TokenBucketProvider?
    private let start = ContinuousClock.now
    private(set) var accepted: [(at: TimeSpan, tokens: Int64)] = []
    private(set) var refusals = 0

    init(model: ProviderModel, limit: Int64, window length: TimeSpan) {
        switch model {
        case .window: window = SlidingWindowProvider(limit: limit, window: length)
        case .bucket: bucket = TokenBucketProvider(limit: limit, window: length)
        }
    }

    /// The time since the provider started.
    nonisolated func elapsed() -> TimeSpan {
        let elapsed = ContinuousClock.now - start
        return TimeSpan(nanoseconds: elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
    }

    /// Offers a request of `tokens` now: true when charged.
    func offer(_ tokens: Int64) -> Bool {
        let now = elapsed()
        let instant = Instant.zero + now
        let decision = window?.offer(tokens, at: instant) ?? bucket?.offer(tokens, at: instant)
        if case .accepted? = decision {
            accepted.append((now, tokens))
            return true
        }
        refusals += 1
        return false
    }

    /// Tokens charged from `from` up to `to`.
    func charged(from: TimeSpan, to: TimeSpan) -> Int64 {
        accepted.reduce(0) { $1.at >= from && $1.at < to ? $0 + $1.tokens : $0 }
    }
}
