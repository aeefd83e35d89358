import Dispatch
import Foundation
import Testing
import TokenGateRedis
import TokenGateTestSupport
import TokenGateWire

/// Real daemons of several hosts (`serve --redis`) on a redis-server of the test's own, each on
/// its own socket in one short temporary directory; all of them stopped however the test ends.
/// `arguments` adds a host's own arguments (by host name).
func withCluster(
    _ hosts: [String], limit: Int64 = 1000, window: Double = 30, arguments: [String: [String]] = [:],
    _ body: (RedisServerProcess, [DaemonProcess]) async throws -> Void
) async throws {
    try await RedisServerProcess.with { redis in
        try await withDaemons(hosts.map { ($0, redis.url) }, limit: limit, window: window, arguments: arguments) { daemons in
            try await body(redis, daemons)
        }
    }
}

/// Real daemons of several hosts, each reaching Redis at its own URL (the same server, directly or
/// through a proxy), each on its own socket in one short temporary directory; all of them stopped
/// however the test ends. The body runs once every one said `connected`. `arguments` adds a host's
/// own arguments (by host name).
func withDaemons(
    _ hosts: [(name: String, redisURL: String)], limit: Int64, window: Double, arguments: [String: [String]] = [:],
    _ body: ([DaemonProcess]) async throws -> Void
) async throws {
    let directory = try TemporaryDirectory(prefix: "tg-cl")
    var daemons: [DaemonProcess] = []
    defer {
        for daemon in daemons { daemon.stop() }
        directory.remove()
    }
    for host in hosts {
        let daemon = DaemonProcess(
            directory: directory, socket: directory.file("\(host.name).sock"),
            arguments: [
                "--no-state", "--window", String(window), "--limit", String(limit), "--threshold", "1.0",
                "--send-margin", "0", "--redis", host.redisURL, "--org", "t", "--host-name", host.name,
            ] + (arguments[host.name] ?? []),
            logName: "\(host.name).log"
        )
        daemons.append(daemon)
        try await daemon.start()
    }
    for daemon in daemons {
        let connected = try await eventually(timeout: .seconds(10)) {
            try daemon.client().status().cluster?.state == .connected
        }
        guard connected else { throw TestFailure("not connected to Redis: \(daemon.log)") }
    }
    try await body(daemons)
}

/// The organisation's shared window as Redis holds it, read by a client of the test's own.
func sharedLoad(_ redis: RedisServerProcess, pool: String = "default") async throws -> SharedPoolLoad {
    let client = RedisClient(options: RedisClientOptions(endpoint: redis.endpoint, libraries: [.sharedAdmission]))
    client.start()
    defer { Task { await client.close() } }
    guard await client.waitUntilConnected(timeout: .seconds(5)) else { throw TestFailure("no connection to Redis") }
    return try await SharedAdmission(client: client, organisation: "t").load(pool: pool)
}

/// Runs `body` on a thread of its own (the line client blocks), so that many run at once.
func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
    }
}

/// Grants seen by the test's workers: when the reply came (test clock) and how many tokens.
final class GrantLog: @unchecked Sendable {
    private let lock = NSLock()
    private var grants: [(at: TimeInterval, tokens: Int64, host: Int)] = []

    func add(at: TimeInterval, tokens: Int64, host: Int) { lock.withLock { grants.append((at, tokens, host)) } }

    var all: [(at: TimeInterval, tokens: Int64, host: Int)] { lock.withLock { grants.sorted { $0.at < $1.at } } }

    /// The most tokens granted within any span shorter than `span` seconds.
    func mostWithin(_ span: TimeInterval) -> Int64 {
        let sorted = all
        var most: Int64 = 0
        var sum: Int64 = 0
        var start = 0
        for end in sorted.indices {
            sum += sorted[end].tokens
            while sorted[end].at - sorted[start].at >= span {
                sum -= sorted[start].tokens
                start += 1
            }
            most = max(most, sum)
        }
        return most
    }
}

extension OneAtATime {
    @Suite("Several hosts, one limit: daemons on one Redis", .serialized)
    struct ClusterDaemonTests {
        @Test("two daemons at threshold 1.0: what both grant never exceeds the limit in any window")
        func exactAcrossDaemons() async throws {
            let window = 2.0
            try await withCluster(["a", "b"], limit: 1000, window: window) { _, daemons in
                let log = GrantLog()
                let origin = Date()
                let sockets = daemons.map(\.socketPath)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for worker in 0..<8 {
                        let socket = sockets[worker % 2]
                        group.addTask {
                            try await onThread {
                                let client = try LineClient(path: socket)
                                let stop = Date().addingTimeInterval(5)
                                while Date() < stop {
                                    let reply = try client.request(#"{"op":"acquire","tokens":100,"timeout_ms":8000}"#, timeout: 10)
                                    guard let ticket = reply["ticket"]?.stringValue else { throw TestFailure("\(reply.jsonText)") }
                                    log.add(at: Date().timeIntervalSince(origin), tokens: 100, host: worker % 2)
                                    _ = try client.request(#"{"op":"report","ticket":"\#(ticket)","input":60,"output":40}"#)
                                }
                            }
                        }
                    }
                    try await group.waitForAll()
                }
                // A grant is made at Redis's instant g and answered at r in [g, g + delay]: grants
                // answered within window - 0.5 s of each other were made within one window as long as
                // no answer took 0.5 s.
                let most = log.mostWithin(window - 0.5)
                let grants = log.all
                #expect(most <= 1000, "most in any window: \(most)")
                #expect(grants.contains { $0.host == 0 } && grants.contains { $0.host == 1 })
                // The window slid: more than one window's worth went through in 5 s.
                #expect(grants.count * 100 > 1000, "granted \(grants.count * 100) tokens")
                if ProcessInfo.processInfo.environment["TOKENGATE_FIGURES"] != nil {
                    print("cluster exactness: \(grants.count) grants, most \(most) of 1000 in any \(window - 0.5) s")
                }
            }
        }

        @Test("a report on host a grants a waiter queued on host b")
        func reportOnOneHostGrantsAnother() async throws {
            try await withCluster(["a", "b"]) { redis, daemons in
                let a = try daemons[0].client()
                let b = try daemons[1].client()
                let held = try a.request(#"{"op":"acquire","tokens":1000}"#)
                let ticket = try #require(held["ticket"]?.stringValue)
                try b.send(#"{"op":"acquire","tokens":500,"timeout_ms":10000,"id":"w"}"#)
                #expect(await eventually { (try? daemons[1].client().status().waiting) == 1 })
                #expect(throws: TestFailure.self) { try b.readLine(timeout: 0.3) }
                let reported = Date()
                _ = try a.request(#"{"op":"report","ticket":"\#(ticket)","input":200,"output":0}"#)
                let grant = try b.readReply(timeout: 5)
                let latency = Date().timeIntervalSince(reported)
                #expect(grant["ok"] == .bool(true), "\(grant.jsonText)")
                #expect(grant["ticket"]?.stringValue != nil)
                let load = try await sharedLoad(redis)
                #expect(load.used == 200 && load.reserved == 500 && load.waiting == 0)
                let status = try b.status()
                #expect(status.cluster?.hosts.map(\.host).sorted() == ["a", "b"])
                #expect(status.workers.allSatisfy { $0.host == "b" })
                let summary = try await CommandRun.tokengate(["status", "--socket", daemons[1].socketPath], timeout: 20)
                #expect(summary.stdout.contains("org t via Redis: connected · this host b"), "\(summary)")
                #expect(summary.stdout.contains("  host a: "), "\(summary)")
                if ProcessInfo.processInfo.environment["TOKENGATE_FIGURES"] != nil {
                    print("cross-host grant: \(Int(latency * 1000)) ms from report on a to grant on b")
                }
            }
        }

        @Test("Redis stopped: nothing granted, status says so within 2 s; back: waiters granted, a report counted once")
        func redisDownAndBack() async throws {
            try await withCluster(["a", "b"]) { redis, daemons in
                let a = try daemons[0].client()
                let b = try daemons[1].client()
                let held = try a.request(#"{"op":"acquire","tokens":300}"#)
                let ticket = try #require(held["ticket"]?.stringValue)
                redis.kill9()
                let stopped = Date()
                for daemon in daemons {
                    let unreachable = try await eventually(timeout: .seconds(2)) {
                        try daemon.client().status().cluster?.state == .unreachable
                    }
                    #expect(unreachable, "status did not say unreachable within 2 s of Redis stopping")
                }
                #expect(Date().timeIntervalSince(stopped) < 2.5)
                #expect(try b.status().cluster?.lastError != nil)
                // Nothing is granted, on either host, though the window is nearly empty.
                try b.send(#"{"op":"acquire","tokens":100,"timeout_ms":20000,"id":"b1"}"#)
                try a.send(#"{"op":"acquire","tokens":100,"timeout_ms":20000,"id":"a1"}"#)
                #expect(throws: TestFailure.self) { try b.readLine(timeout: 1) }
                #expect(throws: TestFailure.self) { try a.readLine(timeout: 0.1) }
                #expect(try b.status().waiting == 1)
                // A report made meanwhile is kept.
                let reported = try a.request(#"{"op":"report","ticket":"\#(ticket)","input":250,"output":0}"#)
                #expect(reported["ok"] == .bool(true))
                #expect((try a.status().cluster?.pending ?? 0) >= 1)
                // Redis back (empty): both queued waiters are granted, the report counts once.
                try await redis.start()
                let grantB = try b.readReply(timeout: 10)
                let grantA = try a.readReply(timeout: 10)
                #expect(grantB["ok"] == .bool(true) && grantB["id"]?.stringValue == "b1", "\(grantB.jsonText)")
                #expect(grantA["ok"] == .bool(true) && grantA["id"]?.stringValue == "a1", "\(grantA.jsonText)")
                for daemon in daemons {
                    #expect(await eventually { (try? daemon.client().status().cluster?.state) == .connected })
                }
                #expect(await eventually { (try? a.status().cluster?.pending) == 0 })
                // Two more heartbeats: nothing is delivered twice.
                try await Task.sleep(for: .milliseconds(1200))
                let load = try await sharedLoad(redis)
                #expect(load.used == 250, "used \(load.used)\n\(daemons[0].log)")
                #expect(load.reserved == 200, "reserved \(load.reserved)")
            }
        }

        @Test("a waiter that times out or disconnects on one host leaves the shared queue; a 429 on one host holds the other's grants")
        func timeoutsAndCooldowns() async throws {
            try await withCluster(["a", "b"]) { redis, daemons in
                let a = try daemons[0].client()
                let b = try daemons[1].client()
                let held = try a.request(#"{"op":"acquire","tokens":1000}"#)
                let ticket = try #require(held["ticket"]?.stringValue)
                let timedOut = try b.request(#"{"op":"acquire","tokens":100,"timeout_ms":300}"#, timeout: 5)
                #expect(timedOut["error"]?.stringValue == "timeout", "\(timedOut.jsonText)")
                do {
                    let leaving = try daemons[1].client()
                    try leaving.send(#"{"op":"acquire","tokens":100}"#)
                    #expect(await eventually { (try? await sharedLoad(redis).waiting) == 1 })
                }
                // The connection above closed: its waiter leaves the shared queue too.
                #expect(await eventually { (try? await sharedLoad(redis).waiting) == 0 })
                #expect(await eventually { (try? b.status().waiting) == 0 })
                _ = try a.request(#"{"op":"release","ticket":"\#(ticket)"}"#)
                #expect(await eventually { (try? await sharedLoad(redis).reserved) == 0 })
                // A 429 on a: b grants nothing until the cooldown ends.
                _ = try a.request(#"{"op":"throttled","retry_after_ms":1500}"#)
                let asked = Date()
                // The cooldown reaches Redis a moment after a answered (its call is on its way).
                #expect(await eventually { guard let load = try? await sharedLoad(redis) else { return false }; return load.cooldownUntil > load.now })
                let grant = try b.request(#"{"op":"acquire","tokens":100,"timeout_ms":10000}"#, timeout: 10)
                #expect(grant["ok"] == .bool(true), "\(grant.jsonText)")
                #expect(Date().timeIntervalSince(asked) >= 1.2, "granted \(Date().timeIntervalSince(asked)) s into a 1.5 s cooldown")
            }
        }

        @Test("rate-limit headers observed on one host tighten the other's admission by the spending the shared window cannot see")
        func sharedProviderReading() async throws {
            try await withCluster(["a", "b"], limit: 100_000) { redis, daemons in
                let a = try daemons[0].client()
                let b = try daemons[1].client()
                let held = try a.request(#"{"op":"acquire","tokens":30000}"#)
                #expect(held["ticket"]?.stringValue != nil, "\(held.jsonText)")
                // The provider counts 90,000 of 100,000 spent, 60,000 more than the window holds, whole again in 3 s.
                let observed = try a.request(
                    #"{"op":"observe","headers":{"x-ratelimit-limit-tokens":"100000","x-ratelimit-remaining-tokens":"10000","x-ratelimit-reset-tokens":"3s"}}"#
                )
                #expect(observed["ok"] == .bool(true), "\(observed.jsonText)")
                #expect(await eventually { ((try? await sharedLoad(redis).unseenTokens) ?? 0) > 50_000 })
                // 30,000 + 60,000 + 20,000 > 100,000: b waits until the unseen spending faded to 50,000, a sixth of 3 s.
                let asked = Date()
                let grant = try b.request(#"{"op":"acquire","tokens":20000,"timeout_ms":10000}"#, timeout: 10)
                let waited = Date().timeIntervalSince(asked)
                #expect(grant["ok"] == .bool(true), "\(grant.jsonText)")
                #expect(waited >= 0.2 && waited < 2.5, "granted after \(waited) s")
                // b's status carries the shared window (both hosts' reservations, and the unseen
                // spending not yet faded) beside its own tickets.
                #expect(await eventually {
                    let shared = try? b.status().cluster?.pools?.first { $0.name == "default" }
                    return shared?.reserved == 50_000 && (shared?.external ?? 0) > 0
                })
                #expect(try b.status().reserved == 20_000)
                // A connection that only reads status is no worker: each host counts the one that acquired.
                let watcher = try daemons[0].client()
                _ = try watcher.request(#"{"op":"hello","v":1,"worker":"watcher"}"#)
                try await Task.sleep(for: .milliseconds(1200))  // two heartbeats (every 500 ms) since it connected
                let hosts = try #require(try watcher.status().cluster?.hosts)
                #expect(hosts.count == 2 && hosts.allSatisfy { $0.workers == 1 }, "\(hosts)")
                if ProcessInfo.processInfo.environment["TOKENGATE_FIGURES"] != nil {
                    print("shared reading: b granted \(waited) s after asking (expected about 0.5 s)")
                }
            }
        }

        @Test("a worker's pause and cap are refused with --redis (the shared queue would pass them by); the pool's pause is shared")
        func workerControlsRefused() async throws {
            try await withCluster(["a", "b"]) { redis, daemons in
                let a = try daemons[0].client()
                for request in [
                    #"{"op":"pause","worker":"crawler"}"#, #"{"op":"resume","worker":"crawler"}"#,
                    #"{"op":"set_limit","worker":"crawler","cap":0.5}"#,
                ] {
                    let reply = try a.request(request)
                    #expect(reply["error"]?.stringValue == "bad_request", "\(reply.jsonText)")
                    #expect(reply["message"]?.stringValue?.contains("not shared through Redis yet") == true, "\(reply.jsonText)")
                }
                #expect(try a.status().workers.allSatisfy { $0.paused != true && $0.cap == nil })
                let paused = try a.request(#"{"op":"pause"}"#)
                #expect(paused["ok"] == .bool(true), "\(paused.jsonText)")
                #expect(await eventually { (try? await sharedLoad(redis).isPaused) == true })
                _ = try a.request(#"{"op":"resume"}"#)
            }
        }

        @Test("serve refuses a bad --redis URL, and --org or --host-name without --redis", arguments: [
            (["--redis", "http://localhost:6379"], "--redis"),
            (["--org", "acme"], "--org needs --redis"),
            (["--host-name", "h1"], "--host-name needs --redis"),
            (["--redis", "redis://127.0.0.1:1", "--org", "a:b"], "--org 'a:b'"),
            (["--redis", "redis://127.0.0.1:1", "--algorithm", "token-bucket"], "--algorithm token-bucket is not shared through Redis yet"),
            (["--redis", "redis://127.0.0.1:1", "--reserve-high", "0.1"], "--reserve-high is not shared through Redis yet"),
        ])
        func badFlags(arguments: [String], message: String) async throws {
            let directory = try TemporaryDirectory(prefix: "tg-cf")
            defer { directory.remove() }
            let run = try await CommandRun.tokengate(
                ["serve", "--socket", directory.file("s.sock"), "--no-state"] + arguments, timeout: 20
            )
            #expect(run.status == 2, "\(run)")
            #expect(run.stderr.contains(message), "\(run.stderr)")
            #expect(!UnixSocketProbe.accepts(directory.file("s.sock")))
        }
    }
}
