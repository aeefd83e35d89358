import Foundation
import TokenGateTestSupport
import Testing
import TokenGateClient
import TokenGateRedis

/// One simulated host of the organisation: its Redis client and the grants its stream delivered.
private final class SimulatedHost: Sendable {
    let name: String
    let admission: SharedAdmission
    let grants = DeliveredGrants()
    private let reader: Task<Void, Never>

    init(name: String, server: RedisServerProcess, organisation: String = "acme") async throws {
        self.name = name
        let options = RedisClientOptions(
            endpoint: server.endpoint, backoff: ReconnectBackoffForTests.fast, libraries: [.sharedAdmission]
        )
        let client = RedisClient(options: options)
        client.start()
        guard await client.waitUntilConnected(timeout: .seconds(5)) else {
            throw TestFailure("no connection to Redis")
        }
        let admission = SharedAdmission(client: client, organisation: organisation)
        self.admission = admission
        let grants = self.grants
        let stream = RedisStreamReader(options: options, stream: admission.grantStream(of: name), block: .milliseconds(500))
        reader = Task { await stream.run(after: "0") { await grants.add($0) } }
    }

    func close() async {
        reader.cancel()
        await reader.value
        await admission.client.close()
    }
}

/// Grants a host received on its stream: waiter id -> grant instant (µs) and when it was read.
private actor DeliveredGrants {
    var at: [String: Int64] = [:]
    var readAt: [String: ContinuousClock.Instant] = [:]
    var duplicates = 0

    func add(_ entries: [RedisStreamEntry]) {
        let now = ContinuousClock.now
        for entry in entries {
            guard let id = entry["id"], let instant = entry["at"].flatMap({ Int64($0) }) else { continue }
            if at[id] != nil { duplicates += 1 }
            at[id] = instant
            readAt[id] = now
        }
    }

    func grant(of id: String) -> Int64? { at[id] }
}

private func withHosts(
    _ names: [String], window: Int64 = 1000, limit: Int64 = 100, sendMargin: Int64 = 0,
    _ body: (RedisServerProcess, [SimulatedHost]) async throws -> Void
) async throws {
    try await RedisServerProcess.with { server in
        var hosts: [SimulatedHost] = []
        do {
            for name in names { hosts.append(try await SimulatedHost(name: name, server: server)) }
            for host in hosts {
                _ = try await host.admission.configure(pool: "default", SharedPoolSettings(
                    windowMilliseconds: window, sendMarginMilliseconds: sendMargin, threshold: 1.0, limits: ["tokens": limit]
                ))
            }
            try await body(server, hosts)
        } catch {
            for host in hosts { await host.close() }
            throw error
        }
        for host in hosts { await host.close() }
    }
}

extension OneAtATime {
    @Suite("Shared admission in Redis")
    struct SharedAdmissionTests {
        @Test("the first host's settings stand; a later host gets them back")
        func firstSettingsStand() async throws {
            try await withHosts(["a", "b"]) { _, hosts in
                let joined = try await hosts[1].admission.configure(pool: "default", SharedPoolSettings(
                    windowMilliseconds: 5, sendMarginMilliseconds: 7, threshold: 0.5, limits: ["tokens": 9]
                ))
                #expect(joined == SharedPoolSettings(
                    windowMilliseconds: 1000, sendMarginMilliseconds: 0, threshold: 1.0, limits: ["tokens": 100]
                ))
            }
        }

        @Test("a retried acquire, report or release changes nothing the first did not")
        func idempotent() async throws {
            try await withHosts(["a"]) { _, hosts in
                let admission = hosts[0].admission
                let first = try await admission.acquire(pool: "default", host: "a", id: "a/1", demand: SharedAmounts(tokens: 60))
                let again = try await admission.acquire(pool: "default", host: "a", id: "a/1", demand: SharedAmounts(tokens: 60))
                guard case .granted(let at) = first else {
                    Issue.record("not granted: \(first)")
                    return
                }
                #expect(again == .granted(at: at))
                #expect(try await admission.load(pool: "default").reserved == 60)
                #expect(try await admission.report(pool: "default", id: "a/1", actual: SharedAmounts(tokens: 30)).outcome == "settled")
                #expect(try await admission.report(pool: "default", id: "a/1", actual: SharedAmounts(tokens: 30)).outcome == "already")
                #expect(try await admission.report(pool: "default", id: "a/9", actual: SharedAmounts(tokens: 30)).outcome == "unknown")
                let load = try await admission.load(pool: "default")
                #expect(load.used == 30 && load.reserved == 0)
                _ = try await admission.acquire(pool: "default", host: "a", id: "a/2", demand: SharedAmounts(tokens: 10))
                #expect(try await admission.release(pool: "default", id: "a/2").outcome == "released")
                #expect(try await admission.release(pool: "default", id: "a/2").outcome == "unknown")
                #expect(try await admission.load(pool: "default").reserved == 0)
            }
        }

    @Test("a charge settles a reservation, counts an id Redis does not know from now, and counts once")
    func chargeCountsOnce() async throws {
        try await withHosts(["a"]) { server, hosts in
            let admission = hosts[0].admission
            _ = try await admission.acquire(pool: "default", host: "a", id: "a/1", demand: SharedAmounts(tokens: 60))
            #expect(try await admission.charge(pool: "default", host: "a", id: "a/1", actual: SharedAmounts(tokens: 25)).outcome == "settled")
            #expect(try await admission.charge(pool: "default", host: "a", id: "a/1", actual: SharedAmounts(tokens: 25)).outcome == "already")
            #expect(try await admission.charge(pool: "default", host: "a", id: "a/2", actual: SharedAmounts(tokens: 40)).outcome == "charged")
            #expect(try await admission.charge(pool: "default", host: "a", id: "a/2", actual: SharedAmounts(tokens: 40)).outcome == "already")
            var load = try await admission.load(pool: "default")
            #expect(load.used == 65 && load.reserved == 0)
            // A Redis restarted empty: the pool must be declared again before a charge counts.
            server.kill9()
            try await server.start()
            #expect(await admission.client.waitUntilConnected(timeout: .seconds(5)))
            await #expect(throws: RedisError.self) {
                try await admission.charge(pool: "default", host: "a", id: "a/1", actual: SharedAmounts(tokens: 25))
            }
            _ = try await admission.configure(pool: "default", SharedPoolSettings(
                windowMilliseconds: 1000, sendMarginMilliseconds: 0, threshold: 1.0, limits: ["tokens": 100]
            ))
            #expect(try await admission.charge(pool: "default", host: "a", id: "a/1", actual: SharedAmounts(tokens: 25)).outcome == "charged")
            load = try await admission.load(pool: "default")
            #expect(load.used == 25)
        }
    }

        @Test("a name Redis cannot store is refused before anything is sent")
        func invalidNames() async throws {
            try await withHosts(["a"]) { _, hosts in
                let admission = hosts[0].admission
                for (host, id) in [("a|b", "a/1"), ("a", "a b"), ("", "a/1"), ("a", "x:y")] {
                    await #expect(throws: SharedAdmissionError.self) {
                        try await admission.acquire(pool: "default", host: host, id: id, demand: SharedAmounts(tokens: 1))
                    }
                }
                let load = try await admission.load(pool: "default")
                #expect(load.reserved == 0)
            }
        }

        @Test("waiters of several hosts are granted in global arrival order, each through its host's stream")
        func arrivalOrder() async throws {
            try await withHosts(["a", "b", "c"]) { _, hosts in
                let full = try await hosts[0].admission.acquire(pool: "default", host: "a", id: "a/0", demand: SharedAmounts(tokens: 100))
                guard case .granted = full else { throw TestFailure("the first acquire waited") }
                var order: [String] = []
                for round in 0..<4 {
                    for host in hosts {
                        let id = "\(host.name)/\(round + 1)"
                        order.append(id)
                        let outcome = try await host.admission.acquire(pool: "default", host: host.name, id: id, demand: SharedAmounts(tokens: 25))
                        guard case .waiting = outcome else { throw TestFailure("\(id) did not wait: \(outcome)") }
                    }
                }
                #expect(try await hosts[1].admission.load(pool: "default").waiting == 12)
                // Each report makes room for exactly one more 25-token waiter... after the window lets go.
                _ = try await hosts[0].admission.report(pool: "default", id: "a/0", actual: SharedAmounts(tokens: 0))
                var granted: [(String, Int64)] = []
                #expect(await eventually {
                    granted = []
                    for host in hosts {
                        for id in order where id.hasPrefix(host.name + "/") {
                            if let at = await host.grants.grant(of: id) { granted.append((id, at)) }
                        }
                    }
                    return granted.count == 4
                })
                #expect(Set(granted.map(\.0)) == Set(order.prefix(4)))
            }
        }

        @Test("four hosts racing at threshold 1.0 never hold more than the limit in any window")
        func exactAcrossHosts() async throws {
            let window: Int64 = 250
            let limit: Int64 = 1000
            try await withHosts(["h1", "h2", "h3", "h4"], window: window, limit: limit) { _, hosts in
                let ledger = GrantLedger()
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for host in hosts {
                        for worker in 0..<4 {
                            group.addTask {
                                for step in 0..<6 {
                                    let id = "\(host.name)/\(worker)-\(step)"
                                    let tokens = Int64(50 + (worker * 37 + step * 53) % 200)
                                    let outcome = try await host.admission.acquire(
                                        pool: "default", host: host.name, id: id, demand: SharedAmounts(tokens: tokens)
                                    )
                                    var at: Int64
                                    switch outcome {
                                    case .granted(let instant): at = instant
                                    case .waiting(let wake):
                                        at = try await waitForGrant(id, host: host, wake: wake)
                                    }
                                    await ledger.add(at: at, tokens: tokens)
                                    _ = try await host.admission.report(pool: "default", id: id, actual: SharedAmounts(tokens: tokens))
                                }
                            }
                        }
                    }
                    try await group.waitForAll()
                }
                let most = await ledger.mostInAnyWindow(microseconds: window * 1000)
                if ProcessInfo.processInfo.environment["TOKENGATE_FIGURES"] != nil {
                    print("four hosts: most tokens in any \(window) ms window \(most) of \(limit)")
                }
                #expect(await ledger.count == 4 * 4 * 6)
                #expect(most <= limit, "most tokens in one window: \(most)")
                #expect(most >= limit / 2, "the limit was hardly used: \(most)")
                for host in hosts { #expect(await host.grants.duplicates == 0) }
            }
        }

        @Test("a report on one host lets a waiter on another in through its stream")
        func crossHostReport() async throws {
            try await withHosts(["a", "b"], window: 60_000) { _, hosts in
                var latencies: [Duration] = []
                for round in 0..<20 {
                    let holder = "a/\(round)"
                    let waiter = "b/\(round)"
                    let first = try await hosts[0].admission.acquire(pool: "default", host: "a", id: holder, demand: SharedAmounts(tokens: 100))
                    guard case .granted = first else { throw TestFailure("\(holder) waited: \(first)") }
                    let second = try await hosts[1].admission.acquire(pool: "default", host: "b", id: waiter, demand: SharedAmounts(tokens: 100))
                    guard case .waiting = second else { throw TestFailure("\(waiter) was granted over the limit") }
                    let reported = ContinuousClock.now
                    _ = try await hosts[0].admission.release(pool: "default", id: holder)
                    #expect(await eventually { await hosts[1].grants.grant(of: waiter) != nil })
                    if let read = await hosts[1].grants.readAt[waiter] { latencies.append(read - reported) }
                    _ = try await hosts[1].admission.release(pool: "default", id: waiter)
                }
                #expect(latencies.count == 20)
                let worst = latencies.max() ?? .zero
                if ProcessInfo.processInfo.environment["TOKENGATE_FIGURES"] != nil {
                    let sorted = latencies.sorted()
                    print("cross-host grant after a release: p50 \(sorted[sorted.count / 2]), max \(worst)")
                }
                #expect(worst < .milliseconds(500), "slowest cross-host grant: \(worst)")
            }
        }

        @Test("a cooldown from one host's 429 holds every host's grants until it ends")
        func sharedCooldown() async throws {
            try await withHosts(["a", "b"]) { _, hosts in
                let cooling = try await hosts[0].admission.throttle(pool: "default", retryAfterMilliseconds: 300)
                let outcome = try await hosts[1].admission.acquire(pool: "default", host: "b", id: "b/1", demand: SharedAmounts(tokens: 1))
                guard case .waiting(let wake) = outcome else { throw TestFailure("granted during the cooldown") }
                #expect(wake >= cooling.now + 299_000 && wake <= cooling.now + 301_000)
                try await Task.sleep(for: .milliseconds(350))
                _ = try await hosts[1].admission.tick(pool: "default")
                #expect(await eventually { await hosts[1].grants.grant(of: "b/1") != nil })
                #expect(try await hosts[1].admission.load(pool: "default").reserved == 1)
            }
        }

        @Test("a provider's reading on one host tightens every host's admission by what the window cannot see, fading to its reset")
        func sharedReading() async throws {
            try await withHosts(["a", "b"], window: 60_000, limit: 1000) { _, hosts in
                _ = try await hosts[0].admission.acquire(pool: "default", host: "a", id: "a/1", demand: SharedAmounts(tokens: 200))
                // The provider counts 800 spent: 600 more than the window holds, fading over 2 s.
                let read = try await hosts[0].admission.observe(
                    pool: "default", kind: "tokens", providerUsed: 800, resetInMilliseconds: 2000, rounding: 100
                )
                let unseen = try await hosts[1].admission.load(pool: "default").unseenTokens
                #expect(unseen > 590 && unseen <= 600, "unseen \(unseen)")
                let outcome = try await hosts[1].admission.acquire(pool: "default", host: "b", id: "b/1", demand: SharedAmounts(tokens: 300))
                // 200 + 300 fit once the unseen 600 faded to 500: a sixth of the 2 s.
                guard case .waiting(let wake) = outcome else { throw TestFailure("granted over what the provider counts") }
                #expect(abs(wake - (read.now + 333_334)) <= 1_000, "wake \(wake - read.now) µs after the reading")
                try await Task.sleep(for: .microseconds(max(0, wake - read.now) + 20_000))
                _ = try await hosts[1].admission.tick(pool: "default")
                #expect(await eventually { await hosts[1].grants.grant(of: "b/1") != nil })
                // A difference within the provider's rounding counts nothing.
                _ = try await hosts[0].admission.observe(pool: "default", kind: "tokens", providerUsed: 0, resetInMilliseconds: 0, rounding: 100)
                _ = try await hosts[0].admission.observe(pool: "default", kind: "tokens", providerUsed: 550, resetInMilliseconds: 2000, rounding: 100)
                #expect(try await hosts[1].admission.load(pool: "default").unseenTokens == 0)
                await #expect(throws: RedisError.self) {
                    try await hosts[0].admission.observe(pool: "default", kind: "bogus", providerUsed: 1, resetInMilliseconds: 1, rounding: 0)
                }
            }
        }

        @Test("a reading counts the grants of the last send margin as unseen only until a reading a margin later has them")
        func readingWithinTheSendMargin() async throws {
            try await withHosts(["a", "b"], window: 60_000, limit: 1000, sendMargin: 300) { _, hosts in
                _ = try await hosts[0].admission.acquire(pool: "default", host: "a", id: "a/1", demand: SharedAmounts(tokens: 200))
                // The provider already saw a/1, which may not have reached it: counted on the window and as unseen.
                _ = try await hosts[0].admission.observe(pool: "default", kind: "tokens", providerUsed: 200, resetInMilliseconds: 5000, rounding: 0)
                #expect(try await hosts[1].admission.load(pool: "default").unseenTokens == 200)
                let outcome = try await hosts[1].admission.acquire(pool: "default", host: "b", id: "b/1", demand: SharedAmounts(tokens: 700))
                guard case .waiting = outcome else { throw TestFailure("granted while the reading counts 200 unseen") }
                try await Task.sleep(for: .milliseconds(350))
                // A margin later a/1 is on the window for the reading: nothing is unseen, and b/1 fits.
                _ = try await hosts[0].admission.observe(pool: "default", kind: "tokens", providerUsed: 200, resetInMilliseconds: 5000, rounding: 0)
                #expect(try await hosts[1].admission.load(pool: "default").unseenTokens == 0)
                #expect(await eventually { await hosts[1].grants.grant(of: "b/1") != nil })
            }
        }

        @Test("the head's wake instant counts both departures and the unseen spending's fade: it wakes when a ticket slides out, not when the reading fades")
        func wakeWithUnseenSpending() async throws {
            try await withHosts(["a", "b"], window: 400, limit: 1000) { _, hosts in
                let held = try await hosts[0].admission.acquire(pool: "default", host: "a", id: "a/1", demand: SharedAmounts(tokens: 600))
                guard case .granted(let grantedAt) = held else { throw TestFailure("a/1 was not granted") }
                _ = try await hosts[0].admission.observe(pool: "default", kind: "tokens", providerUsed: 900, resetInMilliseconds: 10_000, rounding: 0)
                // 600 + 300 unseen + 500 > 1000; once a/1 slides out, 500 + what is left of 300 fits.
                let outcome = try await hosts[1].admission.acquire(pool: "default", host: "b", id: "b/1", demand: SharedAmounts(tokens: 500))
                guard case .waiting(let wake) = outcome else { throw TestFailure("granted over what the provider counts") }
                #expect(wake == grantedAt + 400_000, "wake \(wake - grantedAt) µs after a/1's grant")
            }
        }

        @Test("pause and limits are shared: a pause on one host holds another's, a new limit applies to all")
        func sharedPauseAndLimit() async throws {
            try await withHosts(["a", "b"]) { _, hosts in
                _ = try await hosts[0].admission.setPaused(true, pool: "default")
                let held = try await hosts[1].admission.acquire(pool: "default", host: "b", id: "b/1", demand: SharedAmounts(tokens: 150))
                #expect(held == .waiting(wakeAt: 0))
                _ = try await hosts[0].admission.setLimit(pool: "default", kind: "tokens", to: 200)
                #expect(await hosts[1].grants.grant(of: "b/1") == nil)
                _ = try await hosts[0].admission.setPaused(false, pool: "default")
                #expect(await eventually { await hosts[1].grants.grant(of: "b/1") != nil })
                await #expect(throws: RedisError.self) {
                    try await hosts[0].admission.setLimit(pool: "default", kind: "bogus", to: 1)
                }
            }
        }

        @Test("a host that stops heartbeating loses its waiters; its reservations are charged until they slide out")
        func deadHost() async throws {
            try await withHosts(["a", "b"], window: 60_000) { _, hosts in
                _ = try await hosts[0].admission.heartbeat(host: "a", workers: 1, timeout: .seconds(1))
                _ = try await hosts[1].admission.heartbeat(host: "b", workers: 2, timeout: .seconds(1))
                _ = try await hosts[1].admission.acquire(pool: "default", host: "b", id: "b/1", demand: SharedAmounts(tokens: 60))
                _ = try await hosts[1].admission.acquire(pool: "default", host: "b", id: "b/2", demand: SharedAmounts(tokens: 60))
                _ = try await hosts[0].admission.acquire(pool: "default", host: "a", id: "a/1", demand: SharedAmounts(tokens: 30))
                #expect(try await hosts[0].admission.load(pool: "default").waiting == 2)
                // b goes silent; a keeps beating.
                let clock = ContinuousClock()
                let start = clock.now
                var seen: [SharedHost] = []
                while clock.now - start < .seconds(3) {
                    seen = try await hosts[0].admission.heartbeat(host: "a", workers: 1, timeout: .seconds(1))
                    if seen.map(\.host) == ["a"] { break }
                    try await Task.sleep(for: .milliseconds(200))
                }
                #expect(seen.map(\.host) == ["a"])
                #expect(clock.now - start < .seconds(3))
                // b's waiter left the queue, so a's (behind it) got in: b's 60 still charged + 30 <= 100.
                #expect(await eventually { await hosts[0].grants.grant(of: "a/1") != nil })
                let load = try await hosts[0].admission.load(pool: "default")
                #expect(load.used == 60 && load.reserved == 30, "b's reservation is charged as usage: \(load)")
                #expect(load.waiting == 0)
                #expect(await hosts[1].grants.grant(of: "b/2") == nil)
            }
        }

        @Test("FUNCTION FLUSH mid-run: the next call loads the library again and the window is intact")
        func flushMidRun() async throws {
            try await withHosts(["a"]) { _, hosts in
                let admission = hosts[0].admission
                _ = try await admission.acquire(pool: "default", host: "a", id: "a/1", demand: SharedAmounts(tokens: 70))
                _ = try await admission.client.send(RESPCommand(["FUNCTION", "FLUSH"])).throwingServerError()
                let second = try await admission.acquire(pool: "default", host: "a", id: "a/2", demand: SharedAmounts(tokens: 70))
                guard case .waiting = second else { throw TestFailure("granted past the limit after a flush") }
            }
        }
    }
}

/// Waits for `id`'s grant on `host`'s stream, ticking the pool at its wake instant (as a daemon's
/// one timer would).
private func waitForGrant(_ id: String, host: SimulatedHost, wake: Int64) async throws -> Int64 {
    var wake = wake
    let clock = ContinuousClock()
    let deadline = clock.now + .seconds(30)
    while clock.now < deadline {
        if let at = await host.grants.grant(of: id) { return at }
        if wake > 0 {
            let change = try await host.admission.tick(pool: "default")
            wake = change.wakeAt
            let delay = max(1, min(50_000, change.wakeAt - change.now))
            try await Task.sleep(for: .microseconds(change.wakeAt > 0 ? delay : 5_000))
        } else {
            try await Task.sleep(for: .milliseconds(5))
            wake = (try await host.admission.tick(pool: "default")).wakeAt
        }
    }
    throw TestFailure("\(id) was never granted")
}

/// Every grant's instant and tokens, for the most tokens in any window.
private actor GrantLedger {
    var grants: [(at: Int64, tokens: Int64)] = []
    var count: Int { grants.count }
    func add(at: Int64, tokens: Int64) { grants.append((at, tokens)) }

    /// The largest sum of tokens granted within any half-open span of `microseconds`.
    func mostInAnyWindow(microseconds: Int64) -> Int64 {
        let sorted = grants.sorted { $0.at < $1.at }
        var most: Int64 = 0
        var sum: Int64 = 0
        var first = 0
        for grant in sorted {
            sum += grant.tokens
            while sorted[first].at <= grant.at - microseconds {
                sum -= sorted[first].tokens
                first += 1
            }
            most = max(most, sum)
        }
        return most
    }
}
