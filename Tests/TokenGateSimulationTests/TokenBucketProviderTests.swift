import Testing
import TokenGateCore
@testable import TokenGateSimulation

@Suite("Provider model: token bucket")
struct TokenBucketProviderTests {
    // 1,000 tokens per 10 s: 100 tokens per second, one token per 10 ms.

    @Test("starts full: the whole limit passes at once, one token more does not")
    func startsFull() {
        var bucket = TokenBucketProvider(limit: 1000, window: .seconds(10))
        #expect(bucket.offer(1000, at: at(0)).isAccepted)
        let refused = bucket.offer(1, at: at(0))
        #expect(refused.fitsAt == at(0.01))
        #expect(refused.retryAfter == .seconds(1))
    }

    @Test("refills continuously: a token is back exactly after limit / window, not a nanosecond before")
    func exactRefill() {
        var bucket = TokenBucketProvider(limit: 1000, window: .seconds(10))
        #expect(bucket.offer(1000, at: at(0)).isAccepted)
        #expect(!bucket.offer(1, at: justBefore(at(0.01))).isAccepted)
        #expect(bucket.offer(1, at: at(0.01)).isAccepted)
        #expect(!bucket.offer(1, at: at(0.01)).isAccepted)
        // 250 tokens take 2.5 s.
        #expect(bucket.offer(250, at: at(0.01)).fitsAt == at(2.51))
        #expect(!bucket.offer(250, at: justBefore(at(2.51))).isAccepted)
        #expect(bucket.offer(250, at: at(2.51)).isAccepted)
    }

    @Test("refills in pieces add up exactly: fractions of a token are carried, never lost")
    func piecewiseRefill() {
        var bucket = TokenBucketProvider(limit: 1000, window: .seconds(10))
        #expect(bucket.offer(1000, at: at(0)).isAccepted)
        // Three looks at the bucket within one 10 ms token, each refilling a fraction of it.
        #expect(bucket.level(at: at(0.003_333_333)) == 0)
        #expect(!bucket.offer(1, at: at(0.003_333_333)).isAccepted)
        #expect(!bucket.offer(1, at: at(0.006_666_666)).isAccepted)
        #expect(!bucket.offer(1, at: justBefore(at(0.01))).isAccepted)
        #expect(bucket.offer(1, at: at(0.01)).isAccepted)
    }

    @Test("never holds more than the limit, however long it idles")
    func capped() {
        var bucket = TokenBucketProvider(limit: 1000, window: .seconds(10))
        #expect(bucket.offer(500, at: at(0)).isAccepted)
        #expect(bucket.level(at: at(5)) == 1000)
        #expect(bucket.level(at: at(3600)) == 1000)
        #expect(bucket.offer(1000, at: at(3600)).isAccepted)
        #expect(!bucket.offer(1, at: at(3600)).isAccepted)
    }

    @Test("lets through a burst a hard sliding window refuses: the two models differ")
    func moreLenientThanTheWindow() {
        var bucket = TokenBucketProvider(limit: 1000, window: .seconds(10))
        var window = SlidingWindowProvider(limit: 1000, window: .seconds(10))
        #expect(bucket.offer(1000, at: at(0)).isAccepted && window.offer(1000, at: at(0)).isAccepted)
        // 5 s later the bucket has refilled 500; the window still holds all 1,000.
        #expect(bucket.offer(500, at: at(5)).isAccepted)
        #expect(!window.offer(500, at: at(5)).isAccepted)
    }

    @Test("exact with a large limit and window (128-bit intermediate)")
    func largeNumbers() {
        let limit: Int64 = 9_007_199_254_740_991
        var bucket = TokenBucketProvider(limit: limit, window: .seconds(86_400))
        #expect(bucket.offer(limit, at: at(0)).isAccepted)
        let refused = bucket.offer(limit, at: at(1))
        #expect(refused.fitsAt == at(86_400))
        #expect(bucket.offer(limit, at: at(86_400)).isAccepted)
    }

    @Test("a request larger than the bucket can never fit")
    func tooLarge() {
        var bucket = TokenBucketProvider(limit: 1000, window: .seconds(10))
        #expect(bucket.offer(1001, at: at(0)) == .tooLarge)
    }
}
