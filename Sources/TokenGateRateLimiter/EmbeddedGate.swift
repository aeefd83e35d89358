import DequeModule
import TokenGateCore

/// The in-process backing: one gate owned by an actor, a clock, and one timer task that sleeps
/// until the gate's next wake-up instant.
actor EmbeddedGate<C: Clock>: RateLimiterBacking where C.Duration == Duration {
    nonisolated let tokensPerMinute: UInt64
    private let clock: C
    private let origin: C.Instant
    private var gate: Gate
    private var waiting: [WaiterID: CheckedContinuation<Void, Never>] = [:]
    private var outstanding: Deque<TicketID> = []
    private var timer: (at: Instant, task: Task<Void, Never>)?

    init(tokensPerMinute: UInt64, options: RateLimiterOptions, clock: C) {
        self.tokensPerMinute = tokensPerMinute
        self.clock = clock
        self.origin = clock.now
        let configuration: GateConfiguration
        do {
            configuration = try GateConfiguration(
                tokenLimit: Swift.max(1, tokensPerMinute.clampedCount), window: RateLimiterOptions.window,
                threshold: options.threshold, policy: options.policy
            )
        } catch {
            preconditionFailure("the rate limiter's own configuration is invalid: \(error)")
        }
        self.gate = Gate(configuration: configuration)
    }

    private var now: Instant {
        let elapsed = origin.duration(to: clock.now)
        let (seconds, attoseconds) = elapsed.components
        return Instant(nanoseconds: seconds.multipliedSaturating(by: 1_000_000_000).addingSaturating(attoseconds / 1_000_000_000))
    }

    func acquire(estimate: UInt64?) async {
        let estimate = estimate.flatMap { try? Estimate(tokens: $0.clampedCount) } ?? .unknown
        let decision = gate.acquire(worker: "in-process", estimate: estimate, now: now)
        deliverOutcomes()
        switch decision {
        case .granted(let grant):
            outstanding.append(grant.ticket)
        case .queued(let waiter):
            await withCheckedContinuation { continuation in
                waiting[waiter] = continuation
                rearm()
            }
        case .timedOut:
            break
        }
    }

    func record(tokens: UInt64) async {
        guard let usage = try? Usage(input: tokens.clampedCount, output: 0) else { return }
        gate.settle(ticket: outstanding.popFirst(), usage: usage, now: now)
        deliverOutcomes()
    }

    func currentUsage() async -> UInt64 {
        UInt64(Swift.max(0, gate.used(now: now).tokens))
    }

    private func deliverOutcomes() {
        for outcome in gate.takeOutcomes() {
            if case .granted(let grant) = outcome { outstanding.append(grant.ticket) }
            waiting.removeValue(forKey: outcome.waiter)?.resume()
        }
        rearm()
    }

    /// Keeps one timer task on the gate's next wake-up instant.
    private func rearm() {
        let current = now
        guard let next = gate.nextWakeUp(now: current) else {
            timer?.task.cancel()
            timer = nil
            return
        }
        if let timer, timer.at == next { return }
        timer?.task.cancel()
        let deadline = origin.advanced(by: .nanoseconds(next.nanoseconds))
        let clock = self.clock
        timer = (next, Task { [weak self] in
            do { try await clock.sleep(until: deadline, tolerance: nil) } catch { return }
            await self?.wake(at: next)
        })
    }

    private func wake(at instant: Instant) {
        if timer?.at == instant { timer = nil }
        gate.advance(to: now)
        deliverOutcomes()
    }
}
