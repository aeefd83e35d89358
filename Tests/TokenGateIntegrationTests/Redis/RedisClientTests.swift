import Foundation
import TokenGateTestSupport
import Testing
import TokenGateClient
import TokenGateRedis

extension OneAtATime {
    /// The RESP client against a real redis-server.
    @Suite("Redis client against redis-server")
    struct RedisClientTests {
        @Test("commands and replies of several types over a Unix socket and over TCP with a database")
        func basicCommands() async throws {
            try await RedisServerProcess.with(tcp: true) { server in
                for endpoint in [server.endpoint, try RedisEndpoint(url: "redis://127.0.0.1:\(server.port)/2")] {
                    let connection = try await RedisConnection.connect(to: endpoint)
                    defer { connection.close() }
                    #expect(try await connection.send(RESPCommand(["SET", "k", "a\r\nb"])) == .simpleString("OK"))
                    #expect(try await connection.send(RESPCommand(["GET", "k"])) == .bulkString(Array("a\r\nb".utf8)))
                    #expect(try await connection.send(RESPCommand(["GET", "missing"])) == .null)
                    #expect(try await connection.send(RESPCommand(["INCRBY", "n", "5"])) == .integer(5))
                    #expect(try await connection.send(RESPCommand(["RPUSH", "l", "x", "y"])) == .integer(2))
                    #expect(try await connection.send(RESPCommand(["LRANGE", "l", "0", "-1"]))
                        == .array([.bulkString([120]), .bulkString([121])]))
                    let wrong = try await connection.send(RESPCommand(["INCR", "k"]))
                    #expect(wrong.errorMessage?.hasPrefix("ERR") == true)
                }
                // The database of the TCP URL was selected: its keys are apart from database 0's.
                let zero = try await RedisConnection.connect(to: server.endpoint)
                defer { zero.close() }
                #expect(try await zero.send(RESPCommand(["DBSIZE"])) == .integer(3))
                #expect(try await zero.send(RESPCommand(["SELECT", "2"])) == .simpleString("OK"))
                #expect(try await zero.send(RESPCommand(["DBSIZE"])) == .integer(3))
            }
        }

        @Test("a server speaking RESP3 (HELLO 3): maps, doubles, nulls and booleans decode")
        func resp3Replies() async throws {
            try await RedisServerProcess.with { server in
                let connection = try await RedisConnection.connect(to: server.endpoint)
                defer { connection.close() }
                let hello = try await connection.send(RESPCommand(["HELLO", "3"]))
                guard case .map(let fields) = hello else { throw TestFailure("HELLO 3 gave \(hello)") }
                #expect(fields.contains(RESPPair(key: .bulkString(Array("proto".utf8)), value: .integer(3))))
                _ = try await connection.send(RESPCommand(["HSET", "h", "f", "v"])).throwingServerError()
                #expect(try await connection.send(RESPCommand(["HGETALL", "h"]))
                    == .map([RESPPair(key: .bulkString(Array("f".utf8)), value: .bulkString(Array("v".utf8)))]))
                _ = try await connection.send(RESPCommand(["ZADD", "z", "1.5", "m"])).throwingServerError()
                #expect(try await connection.send(RESPCommand(["ZSCORE", "z", "m"])) == .double(1.5))
                #expect(try await connection.send(RESPCommand(["GET", "missing"])) == .null)
                #expect(try await connection.send(RESPCommand(["EVAL", "redis.setresp(3); return redis.call('SISMEMBER', 's', 'x') == 0", "0"]))
                    == .boolean(true))
            }
        }

        @Test("a socket nobody listens on is unreachable, with the endpoint in the message")
        func unreachableSocket() async throws {
            let directory = try TemporaryDirectory(prefix: "tg-rd")
            defer { directory.remove() }
            let endpoint = try RedisEndpoint(url: "unix://" + directory.file("none.sock"))
            await #expect {
                try await RedisConnection.connect(to: endpoint)
            } throws: { error in
                guard case RedisError.unreachable(let why) = error else { return false }
                return why.contains("none.sock")
            }
        }

        @Test("pipelined commands from many tasks get their own replies, in order")
        func pipelining() async throws {
            try await RedisServerProcess.with { server in
                let connection = try await RedisConnection.connect(to: server.endpoint)
                defer { connection.close() }
                let batch = (0..<500).map { _ in RESPCommand(["INCR", "counter"]) }
                let replies = try await connection.pipeline(batch)
                #expect(replies == (1...500).map { RESPValue.integer(Int64($0)) })
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for task in 0..<20 {
                        group.addTask {
                            for step in 0..<50 {
                                let value = "\(task)-\(step)"
                                let replies = try await connection.pipeline([
                                    RESPCommand(["SET", "key-\(task)", value]), RESPCommand(["GET", "key-\(task)"]),
                                ])
                                #expect(replies == [.simpleString("OK"), .bulkString(Array(value.utf8))])
                            }
                        }
                    }
                    try await group.waitForAll()
                }
            }
        }

        @Test("a reply over the decoder's limit closes the connection with a clear error")
        func limitClosesConnection() async throws {
            try await RedisServerProcess.with { server in
                let writer = try await RedisConnection.connect(to: server.endpoint)
                defer { writer.close() }
                #expect(try await writer.send(RESPCommand(["SET", "big", String(repeating: "x", count: 5000)])) == .simpleString("OK"))
                let small = try await RedisConnection.connect(to: server.endpoint, limits: RESPLimits(maximumBulkLength: 1000))
                await #expect(throws: RedisError.protocolViolation(.bulkTooLong(5000))) {
                    try await small.send(RESPCommand(["GET", "big"]))
                }
                #expect(await eventually { !small.isOpen })
            }
        }

        @Test("the client reconnects with the backoff after Redis restarts, and says unreachable meanwhile")
        func reconnects() async throws {
            try await RedisServerProcess.with { server in
                let client = RedisClient(options: RedisClientOptions(
                    endpoint: server.endpoint, backoff: ReconnectBackoffForTests.fast
                ))
                client.start()
                #expect(await client.waitUntilConnected(timeout: .seconds(5)))
                #expect(try await client.send(RESPCommand(["PING"])) == .simpleString("PONG"))
                server.kill9()
                #expect(await eventually { !client.isConnected })
                await #expect(throws: RedisError.self) { try await client.send(RESPCommand(["PING"])) }
                do {
                    _ = try await client.send(RESPCommand(["PING"]))
                } catch RedisError.unreachable(let why) {
                    #expect(!why.isEmpty)
                }
                try await server.start()
                #expect(await client.waitUntilConnected(timeout: .seconds(5)))
                #expect(try await client.send(RESPCommand(["PING"])) == .simpleString("PONG"))
                #expect(client.connectionCount == 2)
                await client.close()
                #expect(!client.isConnected)
            }
        }

        @Test("a command without a reply in time fails as timed out and the connection is dropped")
        func commandTimeout() async throws {
            try await RedisServerProcess.with { server in
                let connection = try await RedisConnection.connect(to: server.endpoint)
                defer { connection.close() }
                await #expect(throws: RedisError.timedOut) {
                    try await connection.send(RESPCommand(["BLPOP", "nothing", "5"]), timeout: .milliseconds(200))
                }
                #expect(await eventually { !connection.isOpen })
            }
        }

        @Test("FCALL loads the library again after FUNCTION FLUSH")
        func functionReload() async throws {
            try await RedisServerProcess.with { server in
                let library = RedisFunctionLibrary(name: "tgtest", source: """
                    #!lua name=tgtest
                    redis.register_function('tgtest_echo', function(keys, args) return args[1] end)
                    """)
                let client = RedisClient(options: RedisClientOptions(endpoint: server.endpoint, libraries: [library]))
                client.start()
                defer { Task { await client.close() } }
                #expect(await client.waitUntilConnected(timeout: .seconds(5)))
                #expect(try await client.fcall("tgtest_echo", in: library, keys: [], arguments: ["one"]).string == "one")
                #expect(try await client.send(RESPCommand(["FUNCTION", "FLUSH"])) == .simpleString("OK"))
                #expect(try await client.fcall("tgtest_echo", in: library, keys: [], arguments: ["two"]).string == "two")
                let listed = try await client.send(RESPCommand(["FUNCTION", "LIST"]))
                #expect(listed.elements?.count == 1)
                await #expect(throws: RedisError.self) {
                    try await client.fcall("tgtest_missing", in: library, keys: [], arguments: [])
                }
            }
        }

        @Test("the stream reader delivers entries in order, across a connection loss, none twice")
        func streamReader() async throws {
            try await RedisServerProcess.with { server in
                let writer = try await RedisConnection.connect(to: server.endpoint)
                defer { writer.close() }
                let reader = RedisStreamReader(
                    options: RedisClientOptions(endpoint: server.endpoint, backoff: ReconnectBackoffForTests.fast),
                    stream: "s", block: .milliseconds(200)
                )
                let seen = SeenEntries()
                let running = Task { await reader.run(after: "0") { await seen.add($0) } }
                defer { running.cancel() }
                for number in 0..<10 {
                    _ = try await writer.send(RESPCommand(["XADD", "s", "*", "n", String(number)])).throwingServerError()
                }
                #expect(await eventually { await seen.values.count == 10 })
                // The reader's connection is killed; entries added meanwhile still arrive.
                let clients = try await writer.send(RESPCommand(["CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"]))
                #expect(clients.int64 ?? 0 >= 1)
                for number in 10..<20 {
                    _ = try await writer.send(RESPCommand(["XADD", "s", "*", "n", String(number)])).throwingServerError()
                }
                #expect(await eventually { await seen.values.count == 20 })
                #expect(await seen.values == (0..<20).map(String.init))
                running.cancel()
                await running.value
            }
        }
    }
}

/// What the stream reader delivered, in order.
actor SeenEntries {
    var values: [String] = []
    func add(_ entries: [RedisStreamEntry]) { values += entries.compactMap { $0["n"] } }
}

enum ReconnectBackoffForTests {
    static let fast = ReconnectBackoff(initial: .milliseconds(10), maximum: .milliseconds(100))
}
