import Synchronization
import Testing
@testable import TokenGateRateLimiter

/// Runs `operation` in a task and reports whether it finished after the scheduler settled.
/// Virtual time: nothing here sleeps; it only lets other tasks run.
final class Probe: Sendable {
    private final class Flag: Sendable {
        let raised = Mutex(false)
    }

    private let task: Task<Void, Never>

    init(_ operation: @escaping @Sendable () async -> Void) {
        let flag = Flag()
        self.task = Task {
            await operation()
            flag.raised.withLock { $0 = true }
        }
        self.flagRef = flag
    }

    private let flagRef: Flag

    /// Whether the operation has finished, after letting pending tasks run (a bounded number of
    /// scheduler turns: no wall-clock sleep is involved).
    func finished() async -> Bool {
        for _ in 0..<20_000 {
            if flagRef.raised.withLock({ $0 }) { return true }
            await Task.yield()
        }
        return flagRef.raised.withLock { $0 }
    }

    func cancel() { task.cancel() }
}

@Suite("RateLimiter, in-process, virtual time")
struct InProcessRateLimiterTests {
    // Ported from the original's own tests.

    @Test("creation keeps the limit and starts empty")
    func creation() async {
        let limiter = RateLimiter(tokensPerMinute: 10_000, clock: ManualClock())
        #expect(limiter.tokensPerMinute == 10_000)
        #expect(await limiter.currentUsage() == 0)
    }

    @Test("acquire is immediate when empty", arguments: [RateLimiterOptions.tokengate(), .seedCompatible])
    func immediateAcquire(options: RateLimiterOptions) async {
        let limiter = RateLimiter(tokensPerMinute: 10_000, options: options, clock: ManualClock())
        let probe = Probe { await limiter.acquireSlot() }
        #expect(await probe.finished())
    }

    @Test("recorded usage adds up", arguments: [RateLimiterOptions.tokengate(), .seedCompatible])
    func usageAddsUp(options: RateLimiterOptions) async {
        let limiter = RateLimiter(tokensPerMinute: 10_000, options: options, clock: ManualClock())
        await limiter.recordUsage(1000)
        await limiter.recordUsage(2500)
        #expect(await limiter.currentUsage() == 3500)
    }

    @Test("blocks at the seed's threshold, then the window slides and it re-checks 2 s later at most")
    func seedBlocksAndSlides() async {
        let clock = ManualClock()
        let limiter = RateLimiter(tokensPerMinute: 10_000, options: .seedCompatible, clock: clock)
        await limiter.recordUsage(8000)
        let probe = Probe { await limiter.acquireSlot() }
        #expect(await !probe.finished())
        clock.advance(by: .seconds(59))
        #expect(await !probe.finished())
        #expect(await limiter.currentUsage() == 8000)
        clock.advance(by: .seconds(1))
        #expect(await limiter.currentUsage() == 0)
        // The waiter re-checks every 2 s from its start: at 60 s exactly it passes.
        #expect(await probe.finished())
    }

    @Test("the seed's waiter is up to 2 s late after capacity frees")
    func seedIsLate() async {
        let clock = ManualClock()
        let limiter = RateLimiter(tokensPerMinute: 10_000, options: .seedCompatible, clock: clock)
        await limiter.recordUsage(8000)
        clock.advance(by: .seconds(1))
        let probe = Probe { await limiter.acquireSlot() }
        #expect(await !probe.finished())
        clock.advance(by: .seconds(59))  // usage leaves at 60 s; the waiter re-checks at 61 s
        #expect(await !probe.finished())
        clock.advance(by: .seconds(1))
        #expect(await probe.finished())
    }

    @Test("tokengate grants at the exact instant the window frees room for the estimate")
    func tokengateExactWakeUp() async {
        let clock = ManualClock()
        let limiter = RateLimiter(tokensPerMinute: 10_000, options: .tokengate(threshold: 0.9), clock: clock)
        await limiter.recordUsage(5000)
        clock.advance(by: .seconds(10))
        await limiter.recordUsage(3000)
        // 8000 used; a 2000 estimate needs the first 5000 to leave (at 60 s).
        let probe = Probe { await limiter.acquireSlot(estimate: 2000) }
        #expect(await !probe.finished())
        clock.advance(by: .milliseconds(49_999))
        #expect(await !probe.finished())
        clock.advance(by: .milliseconds(1))
        #expect(await probe.finished())
        #expect(await limiter.currentUsage() == 3000)
    }

    @Test("reservations stop two estimates passing the same check together")
    func reservations() async {
        let clock = ManualClock()
        let limiter = RateLimiter(tokensPerMinute: 10_000, options: .tokengate(threshold: 0.9), clock: clock)
        let first = Probe { await limiter.acquireSlot(estimate: 6000) }
        #expect(await first.finished())
        let second = Probe { await limiter.acquireSlot(estimate: 6000) }
        #expect(await !second.finished())
        // The first request spent less than it reserved: the second fits at once.
        await limiter.recordUsage(2000)
        #expect(await second.finished())
        #expect(await limiter.currentUsage() == 2000)
    }
}
