import Testing
import TokenGateRedis

@Suite("Redis URLs")
struct RedisEndpointTests {
    @Test("the accepted forms parse", arguments: [
        ("redis://127.0.0.1:6380", RedisEndpoint(address: .tcp(host: "127.0.0.1", port: 6380))),
        ("redis://cache.internal:6379/3", RedisEndpoint(address: .tcp(host: "cache.internal", port: 6379), database: 3)),
        ("redis://localhost", RedisEndpoint(address: .tcp(host: "localhost", port: 6379))),
        ("redis://[::1]:7000/1", RedisEndpoint(address: .tcp(host: "::1", port: 7000), database: 1)),
        ("unix:///run/redis/redis.sock", RedisEndpoint(address: .unixSocket(path: "/run/redis/redis.sock"))),
    ])
    func parses(url: String, expected: RedisEndpoint) throws {
        let endpoint = try RedisEndpoint(url: url)
        #expect(endpoint == expected)
        #expect(try RedisEndpoint(url: endpoint.description) == endpoint)
    }

    @Test("anything else is refused with the accepted forms", arguments: [
        "localhost:6379", "http://x:1", "redis://", "redis://:6379", "redis://h:0", "redis://h:port",
        "redis://h:1/x", "redis://u:p@h:1", "unix://relative.sock", "unix:///" + String(repeating: "a", count: 120),
        "redis://[::1", "",
    ])
    func refused(url: String) {
        #expect {
            try RedisEndpoint(url: url)
        } throws: { error in
            "\(error)".contains(RedisEndpoint.acceptedForms) && "\(error)".hasPrefix("bad Redis URL")
        }
    }
}
