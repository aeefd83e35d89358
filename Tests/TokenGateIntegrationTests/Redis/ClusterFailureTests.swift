import Foundation
import Testing
import TokenGateRedis
import TokenGateTestSupport
import TokenGateWire

/// Whether the test prints the figures the README quotes (`TOKENGATE_FIGURES=1`).
private var printsFigures: Bool { ProcessInfo.processInfo.environment["TOKENGATE_FIGURES"] != nil }

/// Workers on every daemon acquiring 100 tokens and reporting 100 until `seconds` have passed,
/// each grant logged when its reply came.
private func runWorkers(_ daemons: [DaemonProcess], perHost: Int, seconds: TimeInterval, log: GrantLog, origin: Date) async throws {
    let sockets = daemons.map(\.socketPath)
    try await withThrowingTaskGroup(of: Void.self) { group in
        for worker in 0..<(perHost * sockets.count) {
            let host = worker % sockets.count
            group.addTask {
                try await onThread {
                    let client = try LineClient(path: sockets[host])
                    let stop = origin.addingTimeInterval(seconds)
                    while Date() < stop {
                        let reply = try client.request(#"{"op":"acquire","tokens":100,"timeout_ms":15000}"#, timeout: 20)
                        guard let ticket = reply["ticket"]?.stringValue else { throw TestFailure("\(reply.jsonText)") }
                        log.add(at: Date().timeIntervalSince(origin), tokens: 100, host: host)
                        _ = try client.request(#"{"op":"report","ticket":"\#(ticket)","input":60,"output":40}"#)
                    }
                }
            }
        }
        try await group.waitForAll()
    }
}

/// Runs `redis-cli -s socket command...` and returns what it printed, trimmed.
func redisCLI(socket: String, _ command: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/redis-cli")
    process.arguments = ["-s", socket] + command
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
}

extension OneAtATime {
    @Suite("Several hosts, one limit: a host dies, Redis loses its functions or its data", .serialized)
    struct ClusterFailureTests {
        @Test("a host killed holding tickets with a waiter queued: within 3 s its waiter leaves the shared queue and its reservations are charged; the other host's waiters go as they slide out")
        func hostDies() async throws {
            let window = 4.0
            try await withCluster(["a", "b"], limit: 1000, window: window) { redis, daemons in
                let a = try daemons[0].client()
                let aWaiter = try daemons[0].client()
                let b = try daemons[1].client()
                let origin = Date()
                for _ in 0..<2 {
                    let held = try a.request(#"{"op":"acquire","tokens":500}"#)
                    #expect(held["ticket"]?.stringValue != nil, "\(held.jsonText)")
                }
                let heldAt = Date()
                // a's waiter, first in the queue, asks for the whole limit: were it not removed, it
                // would take the next window and hold b's waiters up for another.
                try aWaiter.send(#"{"op":"acquire","tokens":1000,"timeout_ms":30000,"id":"aw"}"#)
                #expect(await eventually { (try? await sharedLoad(redis).waiting) == 1 })
                try b.send(#"{"op":"acquire","tokens":300,"timeout_ms":30000,"id":"b1"}"#)
                try b.send(#"{"op":"acquire","tokens":300,"timeout_ms":30000,"id":"b2"}"#)
                #expect(await eventually { (try? await sharedLoad(redis).waiting) == 3 })
                daemons[0].kill9()
                let killed = Date()
                let dropped = await eventually(timeout: .seconds(6)) { (try? await sharedLoad(redis).waiting) == 2 }
                let dropTime = Date().timeIntervalSince(killed)
                #expect(dropped, "a's waiter is still in the shared queue 6 s after a died")
                #expect(dropTime < 3, "a's waiter left the shared queue \(dropTime) s after a died")
                let load = try await sharedLoad(redis)
                #expect(load.used == 1000 && load.reserved == 0, "a's tickets: used \(load.used), reserved \(load.reserved)")
                #expect(await eventually { (try? b.status().cluster?.hosts.map(\.host)) == ["b"] })
                // b's waiters go once a's tickets slid out of the window, not before.
                let first = try b.readReply(timeout: 10)
                let second = try b.readReply(timeout: 10)
                let grantedAt = Date()
                #expect(Set([first["id"]?.stringValue, second["id"]?.stringValue]) == ["b1", "b2"], "\(first.jsonText) \(second.jsonText)")
                #expect(first["ticket"]?.stringValue != nil && second["ticket"]?.stringValue != nil)
                #expect(grantedAt.timeIntervalSince(origin) >= window, "b granted \(grantedAt.timeIntervalSince(origin)) s after a's grants")
                #expect(grantedAt.timeIntervalSince(heldAt) < window + 1.5, "b granted \(grantedAt.timeIntervalSince(heldAt)) s after a's grants")
                let after = try await sharedLoad(redis)
                #expect(after.used == 0 && after.reserved == 600 && after.waiting == 0, "\(after)")
                if printsFigures {
                    let slid = grantedAt.timeIntervalSince(heldAt) - window
                    print("host death: waiter dropped \(Int(dropTime * 1000)) ms after SIGKILL; b granted \(Int(slid * 1000)) ms after a's tickets slid out")
                }
            }
        }

        @Test("FUNCTION FLUSH and SCRIPT FLUSH mid-run: the daemons load the library again and keep granting within the limit")
        func functionsFlushed() async throws {
            let window = 2.0
            try await withCluster(["a", "b"], limit: 1000, window: window) { redis, daemons in
                let log = GrantLog()
                let origin = Date()
                // On a thread of its own, as the workers are, so that the flushes come while they run.
                let socket = redis.socketPath
                async let flushes = onThread {
                    var instants: [TimeInterval] = []
                    for round in 0..<6 {
                        usleep(700_000)
                        let command = round % 2 == 0 ? ["FUNCTION", "FLUSH"] : ["SCRIPT", "FLUSH"]
                        let output = try redisCLI(socket: socket, command)
                        guard output == "OK" else { throw TestFailure("\(command): \(output)") }
                        instants.append(Date().timeIntervalSince(origin))
                    }
                    return instants
                }
                try await runWorkers(daemons, perHost: 4, seconds: 6, log: log, origin: origin)
                let flushed = try await flushes
                let grants = log.all
                let most = log.mostWithin(window - 0.5)
                #expect(flushed.count == 6)
                #expect(most <= 1000, "most in any window: \(most)")
                // Granting went on after every FUNCTION FLUSH, on both hosts.
                for (round, instant) in flushed.enumerated() where round % 2 == 0 {
                    for host in 0..<2 {
                        #expect(grants.contains { $0.host == host && $0.at > instant }, "host \(host) granted nothing after the flush at \(instant) s")
                    }
                }
                #expect(grants.count * 100 > 2000, "granted \(grants.count * 100) tokens in 6 s")
                for daemon in daemons {
                    #expect(try daemon.client().status().cluster?.state == .connected)
                }
                if printsFigures {
                    print("flushes: \(grants.count) grants, most \(most) of 1000 in any \(window - 0.5) s, flushes at \(flushed.map { Int($0 * 1000) }) ms")
                }
            }
        }
    
        @Test("Redis killed and restarted empty: nothing granted for the learning period while the hosts put back their tickets and usage; no window holds more than the limit")
        func redisRestartedEmpty() async throws {
            let window = 5.0
            try await withCluster(["a", "b"], limit: 1000, window: window) { redis, daemons in
                let a = try daemons[0].client()
                let b = try daemons[1].client()
                let log = GrantLog()
                let origin = Date()
                func granted(_ reply: JSONValue, host: Int, tokens: Int64) throws -> String {
                    guard let ticket = reply["ticket"]?.stringValue else { throw TestFailure("\(reply.jsonText)") }
                    log.add(at: Date().timeIntervalSince(origin), tokens: tokens, host: host)
                    return ticket
                }
                _ = try granted(try a.request(#"{"op":"acquire","tokens":600}"#), host: 0, tokens: 600)
                let used = try granted(try b.request(#"{"op":"acquire","tokens":300}"#), host: 1, tokens: 300)
                _ = try b.request(#"{"op":"report","ticket":"\#(used)","input":300,"output":0}"#)
                #expect(await eventually { (try? await sharedLoad(redis)).map { $0.used == 300 && $0.reserved == 600 } ?? false })
                redis.kill9()
                try await redis.start()
                let restarted = Date()
                // The hosts put back what they hold: a's open ticket, b's usage.
                let seeded = await eventually(timeout: .seconds(10)) {
                    (try? await sharedLoad(redis)).map { $0.used == 300 && $0.reserved == 600 } ?? false
                }
                let seededAfter = Date().timeIntervalSince(restarted)
                let load = try? await sharedLoad(redis)
                #expect(seeded, "after the restart: \(String(describing: load))\n\(daemons[0].log)")
                // 50 tokens fit beside them, but nothing is granted during the learning period (3 s).
                let small = try b.request(#"{"op":"acquire","tokens":50,"timeout_ms":20000}"#, timeout: 20)
                _ = try granted(small, host: 1, tokens: 50)
                let heldFor = Date().timeIntervalSince(restarted)
                #expect(heldFor >= 2.5, "granted \(heldFor) s after Redis restarted")
                // 500 more fit only once a's ticket and b's usage slid out, a window after their grants.
                let large = try a.request(#"{"op":"acquire","tokens":500,"timeout_ms":20000}"#, timeout: 20)
                _ = try granted(large, host: 0, tokens: 500)
                let largeAt = Date().timeIntervalSince(origin)
                #expect(largeAt >= window, "500 granted \(largeAt) s after the first grants")
                #expect(largeAt < window + 2, "500 granted \(largeAt) s after the first grants")
                let most = log.mostWithin(window - 0.5)
                #expect(most <= 1000, "most in any window: \(most)")
                if printsFigures {
                    print("redis restart: seeded \(Int(seededAfter * 1000)) ms after the restart, first grant \(Int(heldFor * 1000)) ms after it, most \(most) of 1000 in any \(window - 0.5) s")
                }
            }
        }
    }
}
