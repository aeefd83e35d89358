import Foundation
import Testing
import TokenGateClient
import TokenGateTestSupport
import TokenGateWire

extension OneAtATime {
    /// Every operation of the contract through TokenGateClient, against the real daemon.
    @Suite("Swift client against the real daemon")
    struct ClientOperationTests {
        @Test("hello names the worker; status returns the Status object")
        func helloAndStatus() async throws {
            try await DaemonProcess.with { daemon in
                let client = TokenGateClient(socketPath: daemon.socketPath, worker: "swift-it.hello")
                try await client.connect()
                #expect(client.isConnected)
                let status = try await client.status()
                #expect(status.state == .running)
                #expect(status.windowMs == 2_000)
                #expect(status.server.hasPrefix("tokengate/"))
                // The daemon lists workers seen in the window; a hello alone may not count as activity,
                // so make some.
                _ = try await client.report(ticket: nil, input: 1, output: 1)
                let after = try await client.status()
                #expect(after.workers.contains { $0.worker == "swift-it.hello" && $0.connected })
                await client.close()
                #expect(!client.isConnected)
            }
        }

        @Test("acquire, report (known and unknown ticket), release")
        func acquireReportRelease() async throws {
            // A longer window than the usual 2 s, so that the usage checked below cannot expire on a
            // loaded machine between two calls.
            try await DaemonProcess.with(arguments: ["--window", "30"]) { daemon in
                let client = TokenGateClient(socketPath: daemon.socketPath, worker: "swift-it.usage")
                defer { Task { await client.close() } }

                let grant = try await client.acquire(tokens: 100)
                #expect(!grant.ticket.isEmpty)
                #expect(grant.waitedMs >= 0)
                var status = try await client.status()
                #expect(status.inFlight == 1)
                #expect(status.reserved == 100)

                let result = try await client.report(grant, input: 10, output: 20, cacheCreation: 5, cacheRead: 7)
                #expect(!result.unknownTicket)
                status = try await client.status()
                #expect(status.inFlight == 0)
                #expect(status.reserved == 0)
                #expect(status.used == 35)  // input + output + cache creation; cache reads are not counted

                // Settled already: the usage still counts, with a warning.
                let again = try await client.report(grant, input: 1, output: 1)
                #expect(again.unknownTicket)
                status = try await client.status()
                #expect(status.used == 37)

                let second = try await client.acquire(tokens: 50, timeout: .seconds(5))
                #expect(second.ticket != grant.ticket)
                try await client.release(second)
                status = try await client.status()
                #expect(status.inFlight == 0)
                #expect(status.reserved == 0)
                #expect(status.used == 37)

                await #expect(throws: TokenGateClientError.self) { try await client.release(second) }
                do {
                    try await client.release(ticket: "no-such-ticket")
                    Issue.record("release of an unknown ticket succeeded")
                } catch let error as TokenGateClientError {
                    #expect(error.code == .unknownTicket)
                }
            }
        }

        @Test("pause holds grants, a timeout is a typed error, resume grants the waiter")
        func pauseTimeoutResume() async throws {
            try await DaemonProcess.with { daemon in
                let client = TokenGateClient(socketPath: daemon.socketPath, worker: "swift-it.pause")
                defer { Task { await client.close() } }
                #expect(try await client.pause() == .paused)
                #expect(try await client.status().state == .paused)

                let clock = ContinuousClock()
                let started = clock.now
                do {
                    _ = try await client.acquire(tokens: 10, timeout: .milliseconds(150))
                    Issue.record("acquire was granted while paused")
                } catch let error as TokenGateClientError {
                    guard case .timedOut = error else {
                        Issue.record("expected timedOut, got \(error)")
                        return
                    }
                    #expect(error.code == .timeout)
                }
                #expect(clock.now - started >= .milliseconds(140))
                #expect(try await client.status().waiting == 0)

                // A waiter answered after later requests: replies are matched by id.
                let waiter = Task { try await client.acquire(tokens: 10) }
                #expect(try await eventually { try await client.status().waiting == 1 })
                #expect(try await client.resume() == .running)
                let grant = try await waiter.value
                #expect(grant.waitedMs > 0)
                try await client.release(grant)
            }
        }

        @Test("set_limit changes the limit and threshold; invalid values are refused")
        func setLimit() async throws {
            try await DaemonProcess.with { daemon in
                let client = TokenGateClient(socketPath: daemon.socketPath)
                defer { Task { await client.close() } }
                try await client.setLimit(5_000, threshold: 0.5)
                var status = try await client.status()
                #expect(status.limit == 5_000)
                #expect(status.threshold == 0.5)
                try await client.setLimit(nil, threshold: 0.8)
                status = try await client.status()
                #expect(status.limit == 5_000)
                #expect(status.threshold == 0.8)

                await #expect(throws: TokenGateClientError.invalidArgument("set_limit needs a limit or a threshold")) {
                    try await client.setLimit(nil)
                }
                do {
                    try await client.setLimit(0)
                    Issue.record("a limit of 0 was accepted")
                } catch let error as TokenGateClientError {
                    #expect(error.code == .badRequest)
                }
                #expect(try await client.status().limit == 5_000)
            }
        }

        @Test("throttled starts a cooldown; observe takes provider headers")
        func throttledAndObserve() async throws {
            try await DaemonProcess.with { daemon in
                let client = TokenGateClient(socketPath: daemon.socketPath, worker: "swift-it.429")
                defer { Task { await client.close() } }
                // Long enough to be observed on a loaded machine; the acquire below waits it out.
                let until = try await client.throttled(retryAfterMs: 3_000, budget: .tokens)
                #expect(until > 0)
                let status = try await client.status()
                #expect(status.state == .cooldown)
                #expect((status.cooldownRemainingMs ?? 0) > 0)
                await #expect(throws: TokenGateClientError.self) {
                    _ = try await client.acquire(tokens: 1, timeout: .milliseconds(50))
                }
                // Granted once the cooldown is over.
                let grant = try await client.acquire(tokens: 1, timeout: .seconds(20))
                try await client.release(grant)
                #expect(try await client.status().state == .running)

                try await client.observe(headers: [
                    "Content-Type": "application/json",
                    "anthropic-ratelimit-requests-limit": "4000",
                ])
            }
        }

        @Test("subscribe: connected, then snapshots, at once on a state change")
        func subscribe() async throws {
            try await DaemonProcess.with { daemon in
                let client = TokenGateClient(socketPath: daemon.socketPath, worker: "swift-it.sub")
                defer { Task { await client.close() } }
                var events = client.subscribe(intervalMs: 1_000).makeAsyncIterator()
                #expect(try await events.next() == .connected)
                // A change is pushed at once, well before the 1 s interval.
                let clock = ContinuousClock()
                let paused = clock.now
                try await client.pause()
                var sawPaused = false
                while let event = try await events.next() {
                    if case .snapshot(let status) = event, status.state == .paused {
                        sawPaused = true
                        break
                    }
                }
                #expect(sawPaused)
                #expect(clock.now - paused < .milliseconds(900))
            }
        }

        @Test("a refused subscribe ends its stream with the daemon's error")
        func subscribeRefused() async throws {
            try await DaemonProcess.with { daemon in
                let client = TokenGateClient(socketPath: daemon.socketPath)
                defer { Task { await client.close() } }
                do {
                    for try await event in client.subscribe(intervalMs: 10) {
                        Issue.record("unexpected event \(event)")
                    }
                    Issue.record("the stream ended without an error")
                } catch let error as TokenGateClientError {
                    #expect(error.code == .badRequest)
                }
                // The connection is still usable.
                _ = try await client.status()
            }
        }

        @Test("invalid arguments: refused by the daemon, or before sending")
        func invalidArguments() async throws {
            try await DaemonProcess.with { daemon in
                let client = TokenGateClient(socketPath: daemon.socketPath)
                defer { Task { await client.close() } }
                do {
                    _ = try await client.acquire(tokens: -1)
                    Issue.record("a negative estimate was granted")
                } catch let error as TokenGateClientError {
                    #expect(error.code == .badRequest)
                }
                do {
                    _ = try await client.report(ticket: nil, input: 1 << 60, output: 0)
                    Issue.record("a count over 2^53-1 was accepted")
                } catch let error as TokenGateClientError {
                    #expect(error.code == .badRequest)
                }
                #expect(try await client.status().used == 0)

                let badName = TokenGateClient(socketPath: daemon.socketPath, worker: "no spaces allowed")
                do {
                    try await badName.connect()
                    Issue.record("an invalid worker name connected")
                } catch let error as TokenGateClientError {
                    guard case .invalidArgument = error else {
                        Issue.record("expected invalidArgument, got \(error)")
                        return
                    }
                }
            }
        }

        @Test("no daemon: connect and calls fail as unreachable")
        func unreachable() async throws {
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let client = TokenGateClient(socketPath: directory.file("none.sock"), worker: "nobody")
            do {
                try await client.connect()
                Issue.record("connected to nothing")
            } catch let error as TokenGateClientError {
                #expect(error.isUnreachable)
                guard case .unreachable(let path, _) = error else {
                    Issue.record("expected unreachable, got \(error)")
                    return
                }
                #expect(path == directory.file("none.sock"))
            }
            await #expect(throws: TokenGateClientError.self) { _ = try await client.status() }
            await #expect(throws: TokenGateClientError.self) { _ = try await client.acquire(tokens: 1) }
            await client.close()
            await #expect(throws: TokenGateClientError.closed) { _ = try await client.status() }
        }

        @Test("cancelling an acquire: it returns at once, and a late grant is released")
        func cancellationReleasesLateGrant() async throws {
            try await DaemonProcess.with { daemon in
                let client = TokenGateClient(socketPath: daemon.socketPath, worker: "swift-it.cancel")
                defer { Task { await client.close() } }
                try await client.pause()
                let waiter = Task { try await client.acquire(tokens: 10) }
                #expect(try await eventually { try await client.status().waiting == 1 })
                waiter.cancel()
                await #expect(throws: CancellationError.self) { _ = try await waiter.value }
                try await client.resume()
                // The grant arrives, and the client releases it by itself.
                let settled = try await eventually {
                    let status = try await client.status()
                    return status.waiting == 0 && status.inFlight == 0 && status.reserved == 0
                }
                let final = try await client.status()
                #expect(settled, "late grant was not released: \(final)")

                // Cancelled before it was sent: nothing reaches the daemon.
                let cancelledEarly = Task {
                    withUnsafeCurrentTask { $0?.cancel() }
                    return try await client.acquire(tokens: 10)
                }
                await #expect(throws: CancellationError.self) { _ = try await cancelledEarly.value }
            }
        }

        @Test("close: waiting calls fail with .closed and the daemon withdraws the acquire")
        func closeFailsWaiters() async throws {
            try await DaemonProcess.with { daemon in
                let observer = TokenGateClient(socketPath: daemon.socketPath)
                defer { Task { await observer.close() } }
                try await observer.pause()
                let client = TokenGateClient(socketPath: daemon.socketPath, worker: "swift-it.close")
                let waiter = Task { try await client.acquire(tokens: 10) }
                #expect(try await eventually { try await observer.status().waiting == 1 })
                await client.close()
                await #expect(throws: TokenGateClientError.closed) { _ = try await waiter.value }
                #expect(try await eventually { try await observer.status().waiting == 0 })
            }
        }

        @Test("many concurrent round trips on few connections")
        func concurrentRoundTrips() async throws {
            try await DaemonProcess.with(arguments: ["--limit", "1000000000"]) { daemon in
                let clients = (0..<4).map { TokenGateClient(socketPath: daemon.socketPath, worker: "swift-it.load\($0)") }
                defer { for client in clients { Task { await client.close() } } }
                for client in clients { try await client.connect() }
                // A correctness check under concurrency, not a benchmark (tests run in parallel).
                let perTask = 50
                let tasksPerClient = 16
                let clock = ContinuousClock()
                let started = clock.now
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for client in clients {
                        for task in 0..<tasksPerClient {
                            // Half the tasks run on the client's event loop, half on the global executor.
                            let executor: (any TaskExecutor)? = task.isMultiple(of: 2) ? client.taskExecutor : nil
                            group.addTask(executorPreference: executor) {
                                for _ in 0..<perTask {
                                    let grant = try await client.acquire(tokens: 10)
                                    try await client.report(grant, input: 1, output: 1)
                                }
                            }
                        }
                    }
                    try await group.waitForAll()
                }
                let elapsed = clock.now - started
                let total = clients.count * tasksPerClient * perTask
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                print("client round trips: \(total) acquire+report in \(elapsed), \(Int(Double(total) / seconds))/s")
                let status = try await clients[0].status()
                #expect(status.inFlight == 0)
                #expect(status.reserved == 0)
            }
        }
    }
}
