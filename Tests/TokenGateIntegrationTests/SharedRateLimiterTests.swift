import Foundation
import Testing
import TokenGateRateLimiter
import TokenGateTestSupport

extension OneAtATime {
    /// The RateLimiter suite again, on the shared backing: every call goes through the real daemon.
    /// The daemon runs a 2 s window, so "a minute" here is two seconds of real time.
    @Suite("RateLimiter, shared through the daemon")
    struct SharedRateLimiterTests {
        @Test("creation reads the daemon's limit per minute and starts empty")
        func creation() async throws {
            try await DaemonProcess.with(arguments: ["--limit", "1000"]) { daemon in
                let limiter = try await RateLimiter(socket: daemon.socketPath, worker: "rl-create")
                #expect(limiter.tokensPerMinute == 30_000)  // 1000 per 2 s
                #expect(await limiter.currentUsage() == 0)
            }
        }

        @Test("acquire is immediate when empty")
        func immediateAcquire() async throws {
            try await DaemonProcess.with(arguments: ["--limit", "1000"]) { daemon in
                let limiter = try await RateLimiter(socket: daemon.socketPath, worker: "rl-immediate")
                let started = ContinuousClock.now
                await limiter.acquireSlot()
                #expect(ContinuousClock.now - started < .seconds(1))
            }
        }

        @Test("recorded usage adds up, and two processes share one window")
        func usageAddsUp() async throws {
            try await DaemonProcess.with(arguments: ["--limit", "100000", "--window", "30"]) { daemon in
                let first = try await RateLimiter(socket: daemon.socketPath, worker: "rl-one")
                let second = try await RateLimiter(socket: daemon.socketPath, worker: "rl-two")
                await first.recordUsage(1000)
                await second.recordUsage(2500)
                #expect(await first.currentUsage() == 3500)
                #expect(await second.currentUsage() == 3500)
            }
        }

        @Test("blocks at the threshold until the window slides")
        func blocksThenSlides() async throws {
            try await DaemonProcess.with(arguments: ["--limit", "1000"]) { daemon in
                let limiter = try await RateLimiter(socket: daemon.socketPath, worker: "rl-block")
                await limiter.recordUsage(900)
                let recorded = ContinuousClock.now
                await limiter.acquireSlot(estimate: 100)
                let waited = ContinuousClock.now - recorded
                // Capacity frees when the 900 leave the 2 s window.
                #expect(waited >= .milliseconds(1900) && waited < .milliseconds(2600), "waited \(waited)")
                #expect(await limiter.currentUsage() == 0)
            }
        }

        @Test("reservations stop two estimates passing the same check together")
        func reservations() async throws {
            try await DaemonProcess.with(arguments: ["--limit", "10000", "--window", "30"]) { daemon in
                let limiter = try await RateLimiter(socket: daemon.socketPath, worker: "rl-reserve")
                await limiter.acquireSlot(estimate: 6000)
                let second = Task { await limiter.acquireSlot(estimate: 6000) }
                let observer = try LineClient(path: daemon.socketPath)
                #expect(try await eventually { try observer.status().waiting == 1 })
                await limiter.recordUsage(2000)
                await second.value
                #expect(await limiter.currentUsage() == 2000)
            }
        }
    }
}
