import Foundation
import TokenGateTestSupport
import Testing
import TokenGateClient
import TokenGateWire

extension OneAtATime {
    /// Status `rates` (tokens per minute, grants per second, wait p99, 429s) and the fill `history` of
    /// a subscribe that asks for it, from the real daemon.
    @Suite("Daemon rates and history")
    struct DaemonRatesTests {
        @Test("rates count the window's tokens, grants, waits and 429s; the wait p99 is the 99th percentile")
        func rates() async throws {
            try await DaemonProcess.with(arguments: ["--window", "30", "--limit", "1000", "--threshold", "1"]) { daemon in
                let client = TokenGateClient(socketPath: daemon.socketPath, worker: "rates.a")
                defer { Task { await client.close() } }
                // Two grants that wait: each queues behind a grant of the whole limit until it is released.
                let first = try await client.acquire(tokens: 1000)
                async let second = client.acquire(tokens: 1000, timeout: .seconds(20))
                try await Task.sleep(for: .milliseconds(300))
                try await client.release(first)
                let secondGrant = try await second
                async let third = client.acquire(tokens: 1000, timeout: .seconds(20))
                try await Task.sleep(for: .milliseconds(200))
                try await client.release(secondGrant)
                let thirdGrant = try await third
                try await client.release(thirdGrant)
                // 97 that do not: 100 grants in all, so the 99th percentile is the shorter long wait.
                for _ in 0..<97 { try await client.release(try await client.acquire(tokens: 1)) }
                _ = try await client.report(ticket: nil, input: 1000, output: 500)
                _ = try await client.report(ticket: nil, input: 900, output: 100, cacheCreation: 500, cacheRead: 7000)
                _ = try await client.throttled(retryAfterMs: 1)
                _ = try await client.throttled(retryAfterMs: 1)

                let status = try await client.status()
                let rates = try #require(status.rates, "status has rates")
                let minutes = Double(min(30_000, status.uptimeMs)) / 60_000
                // 1500 + 1500 tokens (cache reads are not counted), per minute of the window so far.
                let tokensPerMin = 3000 / minutes
                #expect(abs(Double(rates.tokensPerMin) - tokensPerMin) <= tokensPerMin * 0.05, "\(rates)")
                let grantsPerS = 100 / (minutes * 60)
                #expect(abs(rates.grantsPerS - grantsPerS) <= grantsPerS * 0.05, "\(rates)")
                #expect(rates.throttlesInWindow == 2)
                let waits = [secondGrant.waitedMs, thirdGrant.waitedMs]
                let p99 = try #require(rates.waitP99Ms)
                #expect(waits.min()! >= 150, "the queued grants waited: \(waits)")
                #expect(p99 >= waits.min()! && p99 <= waits.max()!, "p99 \(p99) of waits \(waits) and 98 near 0")

                let summary = try await CommandRun.tokengate(["status", "--socket", daemon.socketPath])
                #expect(summary.status == 0)
                #expect(summary.stdout.contains("tokens/min · ") && summary.stdout.contains(" grants/s · wait p99 "), "\(summary.stdout)")
                #expect(summary.stdout.contains(" · 2 429s"), "\(summary.stdout)")
            }
        }

        @Test("rates forget what left the window")
        func ratesExpire() async throws {
            try await DaemonProcess.with { daemon in
                let client = TokenGateClient(socketPath: daemon.socketPath, worker: "rates.expire")
                defer { Task { await client.close() } }
                try await client.release(try await client.acquire(tokens: 10))
                _ = try await client.report(ticket: nil, input: 100, output: 100)
                _ = try await client.throttled(retryAfterMs: 1)
                let during = try #require(try await client.status().rates)
                #expect(during.tokensPerMin > 0 && during.grantsPerS > 0 && during.throttlesInWindow == 1)
                #expect(during.waitP99Ms != nil)
                try await Task.sleep(for: .milliseconds(2_300))  // the window is 2 s
                let after = try #require(try await client.status().rates)
                #expect(after == RatesStatus(tokensPerMin: 0, grantsPerS: 0, waitP99Ms: nil, throttlesInWindow: 0))
            }
        }

        @Test("a subscribe with history gets the window's fill per second in its first snapshot only")
        func history() async throws {
            try await DaemonProcess.with(arguments: ["--window", "5"]) { daemon in
                let worker = TokenGateClient(socketPath: daemon.socketPath, worker: "history.w")
                defer { Task { await worker.close() } }
                _ = try await worker.report(ticket: nil, input: 1000, output: 234)
                let held = try await worker.acquire(tokens: 300)
                try await Task.sleep(for: .milliseconds(2_200))
                #expect(try await worker.status().history == nil, "status never carries history")

                let watcher = TokenGateClient(socketPath: daemon.socketPath, worker: "history.top")
                defer { Task { await watcher.close() } }
                var events = watcher.subscribe(intervalMs: 100, history: true).makeAsyncIterator()
                let snapshots = try await Self.snapshots(2, from: &events)
                let history = try #require(snapshots[0].history, "the first snapshot carries history")
                #expect(history.stepMs == 1000)
                #expect(history.used.count == history.reserved.count)
                #expect((3...5).contains(history.used.count), "about 2-3 s of uptime, at most a window: \(history)")
                #expect(history.used.last == 1234 && history.reserved.last == 300, "\(history)")
                #expect(history.used.contains(1234) && history.used.allSatisfy { $0 == 0 || $0 == 1234 }, "\(history)")
                #expect(snapshots[1].history == nil, "later snapshots do not")

                let plain = TokenGateClient(socketPath: daemon.socketPath, worker: "history.plain")
                defer { Task { await plain.close() } }
                var plainEvents = plain.subscribe(intervalMs: 100).makeAsyncIterator()
                #expect(try await Self.snapshots(1, from: &plainEvents)[0].history == nil, "not asked, not sent")
                try await worker.release(held)
            }
        }

        @Test("history keeps at most a window of seconds")
        func historyBounded() async throws {
            try await DaemonProcess.with { daemon in  // a 2 s window
                try await Task.sleep(for: .milliseconds(3_300))
                let watcher = TokenGateClient(socketPath: daemon.socketPath, worker: "history.bounded")
                defer { Task { await watcher.close() } }
                var events = watcher.subscribe(intervalMs: 100, history: true).makeAsyncIterator()
                let history = try #require(try await Self.snapshots(1, from: &events)[0].history)
                #expect(history.used.count == 2, "\(history)")
            }
        }

        static func snapshots(
            _ count: Int, from events: inout AsyncThrowingStream<SubscriptionEvent, any Error>.AsyncIterator
        ) async throws -> [Status] {
            var snapshots: [Status] = []
            while snapshots.count < count, let event = try await events.next() {
                if case .snapshot(let status) = event { snapshots.append(status) }
            }
            try #require(snapshots.count == count, "the stream ended early")
            return snapshots
        }
    }
}
