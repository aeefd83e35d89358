import Testing
import TokenGateCore
@testable import TokenGateSimulation

@Suite("Provider model: hard sliding window")
struct SlidingWindowProviderTests {
    @Test("fills to exactly the limit, refuses one token more, and changes nothing when it refuses")
    func fillsToTheLimit() {
        var provider = SlidingWindowProvider(limit: 1000, window: .seconds(10))
        #expect(provider.offer(600, at: at(0)).isAccepted)
        #expect(provider.offer(400, at: at(0)).isAccepted)
        let refused = provider.offer(1, at: at(0))
        #expect(refused.fitsAt == at(10))
        #expect(provider.used(at: at(0)) == 1000)
    }

    @Test("a charge counts until just before t + window, and no longer at t + window")
    func exactExpiry() {
        var provider = SlidingWindowProvider(limit: 1000, window: .seconds(10))
        #expect(provider.offer(1000, at: at(2)).isAccepted)
        #expect(provider.offer(1, at: justBefore(at(12))).fitsAt == at(12))
        #expect(provider.offer(1000, at: at(12)).isAccepted)
    }

    @Test("a refusal says exactly when enough has slid out")
    func fitsAtInstant() {
        var provider = SlidingWindowProvider(limit: 1000, window: .seconds(10))
        for second in [1.0, 2, 3] { #expect(provider.offer(300, at: at(second)).isAccepted) }
        // 900 used; 500 more needs 400 gone: the charges of 1 s and 2 s, which leave at 12 s.
        let refused = provider.offer(500, at: at(4))
        #expect(refused.fitsAt == at(12))
        #expect(refused.retryAfter == .seconds(8))
        #expect(!provider.offer(500, at: justBefore(at(12))).isAccepted)
        #expect(provider.offer(500, at: at(12)).isAccepted)
        #expect(provider.used(at: at(12)) == 800)
    }

    @Test("a burst across a boundary is not let through twice")
    func burstAcrossBoundary() {
        var provider = SlidingWindowProvider(limit: 1000, window: .seconds(10))
        #expect(provider.offer(1000, at: at(9.9)).isAccepted)
        #expect(!provider.offer(1000, at: at(10.1)).isAccepted)
        #expect(provider.offer(1000, at: at(19.9)).isAccepted)
    }

    @Test("retry-after is rounded up to whole seconds, at least one")
    func retryAfterRounding() {
        var provider = SlidingWindowProvider(limit: 1000, window: .seconds(10))
        #expect(provider.offer(1000, at: at(0)).isAccepted)
        #expect(provider.offer(1, at: at(7.5)).retryAfter == .seconds(3))
        #expect(provider.offer(1, at: justBefore(at(10))).retryAfter == .seconds(1))
    }

    @Test("a request larger than the limit can never fit")
    func tooLarge() {
        var provider = SlidingWindowProvider(limit: 1000, window: .seconds(10))
        #expect(provider.offer(1001, at: at(0)) == .tooLarge)
        #expect(provider.offer(1000, at: at(0)).isAccepted)
    }
}
