import Foundation
import Testing
import TokenGateTestSupport
import TokenGateWire

/// Whether the test prints the figures the README quotes (`TOKENGATE_FIGURES=1`).
private var printsFigures: Bool { ProcessInfo.processInfo.environment["TOKENGATE_FIGURES"] != nil }

/// One entry of a pool's window in Redis (`P:amt`): `state|host|grant_us|tokens|...`.
private struct WindowEntry: Equatable {
    var id: String
    var state: String
    var host: String
    var tokens: Int64
}

/// The organisation's keys in Redis, read with `redis-cli` on its Unix socket.
private struct RedisKeys {
    let socket: String
    private let prefix = "{tg:t}:default"

    /// Every entry of the default pool's window.
    func window() throws -> [WindowEntry] {
        try pairs(of: "amt").map { id, value in
            let parts = value.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            guard parts.count >= 4, let tokens = Int64(parts[3]) else { throw TestFailure("window entry \(id): \(value)") }
            return WindowEntry(id: id, state: parts[0], host: parts[1], tokens: tokens)
        }
    }

    /// The hosts of the waiters in the default pool's shared queue.
    func waiterHosts() throws -> [String] {
        try pairs(of: "w").map { _, value in String(value.prefix { $0 != "|" }) }
    }

    /// The totals Redis keeps of the window (`u_tokens`, `r_tokens`, `HOST|u`, ...).
    func load() throws -> [String: Int64] {
        var load: [String: Int64] = [:]
        for (field, value) in try pairs(of: "load") { load[field] = Int64(value) ?? 0 }
        return load
    }

    /// The window's entries with the totals Redis keeps of them, read until two readings of the
    /// totals around the entries agree (the workers keep changing both; Redis expires lazily).
    func consistentWindow() throws -> (entries: [WindowEntry], load: [String: Int64]) {
        for _ in 0..<50 {
            let before = try load()
            let entries = try window()
            if try load() == before { return (entries, before) }
        }
        throw TestFailure("the window kept changing while it was read")
    }

    private func pairs(of name: String) throws -> [(String, String)] {
        let output = try redisCLI(socket: socket, ["HGETALL", "\(prefix):\(name)"])
        let lines = output.isEmpty ? [] : output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.count % 2 == 0 else { throw TestFailure("HGETALL \(name): \(output)") }
        return stride(from: 0, to: lines.count, by: 2).map { (lines[$0], lines[$0 + 1]) }
    }
}

/// A flag the test raises to stop its workers.
private final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var raised = false
    var isRaised: Bool { lock.withLock { raised } }
    func raise() { lock.withLock { raised = true } }
}

/// Workers acquiring 100 tokens and reporting 100 (input 60, output 40) until `stop` is raised,
/// each grant logged when its reply came; an acquire waits up to 60 s (a partition is 30 s).
private func runWorkers(_ sockets: [(socket: String, host: Int)], log: GrantLog, origin: Date, stop: StopFlag) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        for worker in sockets {
            group.addTask {
                try await onThread {
                    let client = try LineClient(path: worker.socket)
                    while !stop.isRaised {
                        let reply = try client.request(#"{"op":"acquire","tokens":100,"timeout_ms":60000}"#, timeout: 70)
                        guard let ticket = reply["ticket"]?.stringValue else { throw TestFailure("host \(worker.host): \(reply.jsonText)") }
                        log.add(at: Date().timeIntervalSince(origin), tokens: 100, host: worker.host)
                        let reported = try client.request(#"{"op":"report","ticket":"\#(ticket)","input":60,"output":40}"#)
                        guard reported["ok"] == .bool(true) else { throw TestFailure("host \(worker.host): \(reported.jsonText)") }
                    }
                }
            }
        }
        try await group.waitForAll()
    }
}

extension OneAtATime {
    @Suite("Several hosts, one limit: a host partitioned from Redis", .serialized)
    struct ClusterPartitionTests {
        @Test("host a cut off from Redis for 30 s (a proxy dropping its traffic): a grants nothing, says unreachable within 2 s and keeps its waiters and reports; b drops it and goes on granting; after the heal each report counts once, a's waiters are granted, and no window holds more than the limit")
        func partitionedHost() async throws {
            let window = 10.0
            let limit: Int64 = 1000
            let cutFor = 30.0
            try await RedisServerProcess.with(tcp: true) { redis in
                let proxy = try PartitionProxy.start(upstreamPort: redis.port)
                defer { proxy.stop() }
                let keys = RedisKeys(socket: redis.socketPath)
                let hosts = [(name: "a", redisURL: proxy.redisURL), (name: "b", redisURL: "redis://127.0.0.1:\(redis.port)")]
                try await withDaemons(hosts, limit: limit, window: window) { daemons in
                    let a = try daemons[0].client()
                    let b = try daemons[1].client()
                    let log = GrantLog()
                    let origin = Date()
                    // Two tickets a holds through the partition, granted first into the empty window.
                    var held: [String] = []
                    for _ in 0..<2 {
                        let reply = try a.request(#"{"op":"acquire","tokens":100}"#)
                        held.append(try #require(reply["ticket"]?.stringValue, "\(reply.jsonText)"))
                        log.add(at: Date().timeIntervalSince(origin), tokens: 100, host: 0)
                    }
                    let stop = StopFlag()
                    let sockets = [(daemons[0].socketPath, 0), (daemons[0].socketPath, 0), (daemons[1].socketPath, 1), (daemons[1].socketPath, 1)]
                    async let workers: Void = runWorkers(sockets.map { (socket: $0.0, host: $0.1) }, log: log, origin: origin, stop: stop)
                    defer { stop.raise() }

                    // The window fills within the first second and nothing slides out before 10 s: a
                    // waiter for 200 on a queues in Redis behind the workers.
                    try await Task.sleep(for: .seconds(2))
                    let aWaiter = try daemons[0].client()
                    try aWaiter.send(#"{"op":"acquire","tokens":200,"timeout_ms":60000,"id":"aw"}"#)
                    #expect(await eventually { (try? keys.waiterHosts().filter { $0 == "a" }.count) ?? 0 >= 1 }, "a has no waiter in the shared queue")
                    try await Task.sleep(for: .seconds(1))
                    let reservedBefore = try keys.window().filter { $0.host == "a" && $0.state == "r" }
                    #expect(reservedBefore.count >= 2, "a's open reservations before the cut: \(reservedBefore)")

                    proxy.partition()
                    let cut = Date()
                    let cutAt = cut.timeIntervalSince(origin)
                    let unreachable = try await eventually(timeout: .seconds(4)) { try a.status().cluster?.state == .unreachable }
                    let unreachableAfter = Date().timeIntervalSince(cut)
                    #expect(unreachable && unreachableAfter < 2, "a said unreachable \(unreachableAfter) s after the cut")
                    #expect(try a.status().cluster?.lastError != nil)
                    #expect(try b.status().cluster?.state == .connected)

                    // Reports on a during the partition: of both held tickets, and one without a
                    // ticket, each with an amount no worker reports.
                    for (ticket, input) in zip(held, [37, 53]) {
                        let reply = try a.request(#"{"op":"report","ticket":"\#(ticket)","input":\#(input),"output":0}"#)
                        #expect(reply["ok"] == .bool(true), "\(reply.jsonText)")
                    }
                    let ticketless = try a.request(#"{"op":"report","input":29,"output":0}"#)
                    #expect(ticketless["ok"] == .bool(true), "\(ticketless.jsonText)")
                    #expect((try a.status().cluster?.pending ?? 0) >= 3)

                    // b's heartbeat drops a after the host timeout: a's waiters leave the shared
                    // queue, its open reservations are charged.
                    let dropped = try await eventually(timeout: .seconds(6)) { try b.status().cluster?.hosts.map(\.host) == ["b"] }
                    let droppedAfter = Date().timeIntervalSince(cut)
                    #expect(dropped && droppedAfter < 4, "b dropped a \(droppedAfter) s after the cut")
                    #expect(try keys.waiterHosts().allSatisfy { $0 != "a" }, "a's waiters are still in the shared queue")
                    let charged = try keys.window().filter { $0.host == "a" }
                    for entry in reservedBefore {
                        #expect(charged.first { $0.id == entry.id } == WindowEntry(id: entry.id, state: "u", host: "a", tokens: entry.tokens), "a's reservation \(entry.id) after the drop: \(charged)")
                    }
                    #expect(try keys.load()["a|r"] ?? 0 == 0)

                    // The rest of the partition: a stays unreachable with its waiters in place.
                    while Date().timeIntervalSince(cut) < cutFor - 1 {
                        let status = try a.status()
                        #expect(status.cluster?.state == .unreachable)
                        #expect(status.waiting >= 3, "a's waiters (aw and two workers): \(status.waiting)")
                        try await Task.sleep(for: .seconds(1))
                    }
                    #expect(throws: TestFailure.self) { try aWaiter.readLine(timeout: max(0, cutFor - Date().timeIntervalSince(cut))) }
                    proxy.heal()
                    let healed = Date()
                    let healAt = healed.timeIntervalSince(origin)
                    // aw's grant is logged when it comes, as the workers' are.
                    async let awGrant = onThread { (reply: try aWaiter.readReply(timeout: 30), at: Date().timeIntervalSince(origin)) }
                    let acceptedWhileCut = proxy.connectionsAcceptedWhileCut

                    let reconnected = try await eventually(timeout: .seconds(8)) { try a.status().cluster?.state == .connected }
                    let reconnectedAfter = Date().timeIntervalSince(healed)
                    #expect(reconnected, "a not connected \(reconnectedAfter) s after the heal\n\(daemons[0].log)")
                    let delivered = await eventually(timeout: .seconds(8)) { (try? a.status().cluster?.pending) == 0 }
                    #expect(delivered, "a's kept calls: \(String(describing: try? a.status().cluster))")
                    // Each report made during the partition is in the window once, at its amount
                    // (the held tickets' reservations had slid out: counted from their delivery),
                    // and Redis's totals agree with its entries; again two heartbeats later.
                    for pass in 0..<2 {
                        let (entries, load) = try keys.consistentWindow()
                        for tokens: Int64 in [37, 53, 29] {
                            let found = entries.filter { $0.host == "a" && $0.state == "u" && $0.tokens == tokens }
                            #expect(found.count == 1, "pass \(pass): the report of \(tokens) is in the window \(found.count) times: \(entries)")
                        }
                        for host in ["a", "b"] {
                            for state in ["u", "r"] {
                                let sum = entries.filter { $0.host == host && $0.state == state }.map(\.tokens).reduce(0, +)
                                #expect(load["\(host)|\(state)"] ?? 0 == sum, "pass \(pass): \(host)|\(state) \(load["\(host)|\(state)"] ?? 0), entries \(sum)")
                            }
                        }
                        if pass == 0 { try await Task.sleep(for: .milliseconds(1200)) }
                    }
                    let (grantedAW, awAt) = try await awGrant
                    #expect(grantedAW["id"]?.stringValue == "aw" && grantedAW["ticket"]?.stringValue != nil, "\(grantedAW.jsonText)")
                    log.add(at: awAt, tokens: 200, host: 0)
                    #expect(await eventually(timeout: .seconds(10)) { log.all.contains { $0.host == 0 && $0.at > healAt && $0.tokens == 100 } })
                    #expect(try b.status().cluster?.hosts.map(\.host).sorted() == ["a", "b"])
                    stop.raise()
                    try await workers

                    let grants = log.all
                    let aDuringCut = grants.filter { $0.host == 0 && $0.at > cutAt + 1 && $0.at < healAt }
                    #expect(aDuringCut.isEmpty, "a granted during the partition at \(aDuringCut.map(\.at))")
                    let bDuringCut = grants.filter { $0.host == 1 && $0.at > cutAt + droppedAfter && $0.at < healAt }
                    let bTokens = bDuringCut.map(\.tokens).reduce(0, +)
                    #expect(bTokens >= limit, "b granted \(bTokens) tokens during the partition")
                    // A grant made at Redis's instant g is answered at r in [g, g + delay]: grants
                    // answered within window - 0.5 s of each other were made within one window as
                    // long as no answer took 0.5 s (a grant Redis made before the cut and answered
                    // after the heal would have slid out by then: the window is shorter than the cut).
                    let most = log.mostWithin(window - 0.5)
                    #expect(most <= limit, "most in any window: \(most)")
                    #expect(acceptedWhileCut >= 1, "a never tried to reconnect during the partition")
                    if printsFigures {
                        let load = try String(contentsOfFile: "/proc/loadavg", encoding: .utf8).split(separator: " ").first ?? "?"
                        print(
                            "partition: a unreachable \(Int(unreachableAfter * 1000)) ms after the cut, dropped by b after \(Int(droppedAfter * 1000)) ms; "
                                + "b granted \(bTokens) tokens during the \(Int(cutFor)) s cut, a none; a connected \(Int(reconnectedAfter * 1000)) ms after the heal, "
                                + "aw granted \(Int((awAt - healAt) * 1000)) ms after it; \(grants.count) grants, most \(most) of \(limit) in any \(window - 0.5) s; "
                                + "\(acceptedWhileCut) connections accepted during the cut; load \(load)"
                        )
                    }
                }
            }
        }

        @Test("a partition shorter than the window: b charges a's ticket at its estimate; a's report made meanwhile replaces it once after the heal")
        func reportReplacesChargedEstimate() async throws {
            try await RedisServerProcess.with(tcp: true) { redis in
                let proxy = try PartitionProxy.start(upstreamPort: redis.port)
                defer { proxy.stop() }
                let keys = RedisKeys(socket: redis.socketPath)
                let hosts = [(name: "a", redisURL: proxy.redisURL), (name: "b", redisURL: "redis://127.0.0.1:\(redis.port)")]
                try await withDaemons(hosts, limit: 1000, window: 30) { daemons in
                    let a = try daemons[0].client()
                    let b = try daemons[1].client()
                    let reply = try a.request(#"{"op":"acquire","tokens":100}"#)
                    let ticket = try #require(reply["ticket"]?.stringValue, "\(reply.jsonText)")
                    proxy.partition()
                    #expect(try await eventually(timeout: .seconds(4)) { try a.status().cluster?.state == .unreachable })
                    // More than the estimate: a report that did not replace it would be lost in part.
                    let reported = try a.request(#"{"op":"report","ticket":"\#(ticket)","input":120,"output":50}"#)
                    #expect(reported["ok"] == .bool(true), "\(reported.jsonText)")
                    #expect(try await eventually(timeout: .seconds(6)) { try b.status().cluster?.hosts.map(\.host) == ["b"] })
                    let charged = try keys.window().filter { $0.host == "a" }
                    #expect(charged.map(\.state) == ["u"] && charged.map(\.tokens) == [100], "a's ticket after the drop: \(charged)")
                    proxy.heal()
                    #expect(try await eventually(timeout: .seconds(8)) { try a.status().cluster?.state == .connected })
                    #expect(await eventually(timeout: .seconds(8)) { (try? a.status().cluster?.pending) == 0 })
                    for pass in 0..<2 {
                        let (entries, load) = try keys.consistentWindow()
                        let mine = entries.filter { $0.host == "a" }
                        #expect(mine == [WindowEntry(id: charged.first?.id ?? "", state: "u", host: "a", tokens: 170)], "pass \(pass): \(mine)")
                        #expect(load["a|u"] == 170 && load["u_tokens"] == 170 && (load["r_tokens"] ?? 0) == 0, "pass \(pass): \(load)")
                        if pass == 0 { try await Task.sleep(for: .milliseconds(1200)) }
                    }
                    #expect(await eventually { (try? b.status().cluster?.hosts.first { $0.host == "a" }?.used) == 170 })
                }
            }
        }
    }
}
