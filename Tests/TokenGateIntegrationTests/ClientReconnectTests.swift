import Foundation
import TokenGateTestSupport
import Testing
import TokenGateClient
import TokenGateWire

extension OneAtATime {
    /// The client across daemon crashes and restarts.
    @Suite("Swift client: reconnecting")
    struct ClientReconnectTests {
        @Test("a daemon killed and restarted: the pending acquire is re-issued and granted once")
        func pendingAcquireReissuedAfterCrash() async throws {
            try await DaemonProcess.with { daemon in
                let client = TokenGateClient(socketPath: daemon.socketPath, worker: "swift-it.reissue")
                defer { Task { await client.close() } }
                try await client.connect()
                var events = client.subscribe(intervalMs: 100).makeAsyncIterator()
                #expect(try await events.next() == .connected)

                try await client.pause()
                let waiter = Task { try await client.acquire(tokens: 10, timeout: .seconds(30)) }
                #expect(try await eventually { try await client.status().waiting == 1 })

                daemon.kill9()
                // The subscription hears of it.
                var sawDisconnect = false
                while let event = try await events.next() {
                    if case .disconnected = event {
                        sawDisconnect = true
                        break
                    }
                }
                #expect(sawDisconnect)
                // A non-acquire call made while the daemon is away fails once the next attempt fails.
                do {
                    _ = try await client.status()
                    Issue.record("status succeeded with no daemon")
                } catch let error as TokenGateClientError {
                    #expect(error.isUnreachable, "\(error)")
                }

                try await daemon.start()  // a fresh daemon, running: it grants the re-issued acquire
                let grant = try await waiter.value
                #expect(!grant.ticket.isEmpty)
                // The wait includes the time before the re-issue.
                #expect(grant.waitedMs >= 50)

                var sawReconnect = false
                while let event = try await events.next() {
                    if event == .connected {
                        sawReconnect = true
                        break
                    }
                }
                #expect(sawReconnect)
                // The subscription delivers snapshots from the new daemon.
                var sawSnapshot = false
                while let event = try await events.next() {
                    if case .snapshot = event {
                        sawSnapshot = true
                        break
                    }
                }
                #expect(sawSnapshot)

                let status = try await client.status()
                #expect(status.inFlight == 1, "the grant lives on the new connection: \(status)")
                #expect(status.waiting == 0)
                #expect(status.workers.contains { $0.worker == "swift-it.reissue" })
                let result = try await client.report(grant, input: 3, output: 4)
                #expect(!result.unknownTicket)
                #expect(try await client.status().inFlight == 0)
            }
        }

        @Test("a daemon stopped with SIGTERM answers shutting_down; the acquire waits for its successor")
        func shuttingDownAcquireReissued() async throws {
            try await DaemonProcess.with { daemon in
                let client = TokenGateClient(socketPath: daemon.socketPath, worker: "swift-it.term")
                defer { Task { await client.close() } }
                try await client.pause()
                let waiter = Task { try await client.acquire(tokens: 10) }
                #expect(try await eventually { try await client.status().waiting == 1 })
                let exitStatus = daemon.stop()
                #expect(exitStatus == 0, "daemon log:\n\(daemon.log)")
                try await Task.sleep(for: .milliseconds(200))
                try await daemon.start()
                let grant = try await waiter.value
                try await client.release(grant)
            }
        }

        @Test("an acquire's timeout still holds while the daemon is away")
        func timeoutWhileDisconnected() async throws {
            try await DaemonProcess.with { daemon in
                let client = TokenGateClient(socketPath: daemon.socketPath, worker: "swift-it.away")
                defer { Task { await client.close() } }
                try await client.pause()
                let clock = ContinuousClock()
                let started = clock.now
                let waiter = Task { try await client.acquire(tokens: 10, timeout: .milliseconds(600)) }
                #expect(try await eventually { try await client.status().waiting == 1 })
                daemon.kill9()
                do {
                    _ = try await waiter.value
                    Issue.record("granted with no daemon")
                } catch let error as TokenGateClientError {
                    guard case .timedOut = error else {
                        Issue.record("expected timedOut, got \(error)")
                        return
                    }
                }
                let elapsed = clock.now - started
                #expect(elapsed >= .milliseconds(550))
                #expect(elapsed < .seconds(3))
            }
        }

        @Test("a client that never reconnects fails in-flight calls as connection lost")
        func noReconnectFailsInFlight() async throws {
            try await DaemonProcess.with { daemon in
                let client = TokenGateClient(
                    socketPath: daemon.socketPath, worker: "swift-it.oneshot",
                    options: TokenGateClientOptions(reconnects: false))
                defer { Task { await client.close() } }
                try await client.pause()
                let waiter = Task { try await client.acquire(tokens: 10) }
                #expect(try await eventually { try await client.status().waiting == 1 })
                daemon.kill9()
                do {
                    _ = try await waiter.value
                    Issue.record("granted with no daemon")
                } catch let error as TokenGateClientError {
                    guard case .connectionLost(let operation, _) = error else {
                        Issue.record("expected connectionLost, got \(error)")
                        return
                    }
                    #expect(operation == "acquire")
                    #expect(error.isUnreachable)
                }
                // The next call tries again, once.
                await #expect(throws: TokenGateClientError.self) { _ = try await client.status() }
                try await daemon.start()
                #expect(try await client.status().state == .running)
            }
        }

        @Test("a subscription started before the daemon keeps retrying until it is there")
        func subscriptionWaitsForDaemon() async throws {
            try await DaemonProcess.with { daemon in
                daemon.kill9()
                let client = TokenGateClient(socketPath: daemon.socketPath)
                defer { Task { await client.close() } }
                var events = client.subscribe(intervalMs: 100).makeAsyncIterator()
                guard case .disconnected = try await events.next() else {
                    Issue.record("expected .disconnected first")
                    return
                }
                try await daemon.start()
                var connected = false
                while let event = try await events.next() {
                    if event == .connected {
                        connected = true
                        break
                    }
                }
                #expect(connected)
            }
        }
    }
}
