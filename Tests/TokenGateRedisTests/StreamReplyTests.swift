import Testing
@testable import TokenGateRedis

@Suite("XREAD replies")
struct StreamReplyTests {
    private func entry(_ id: String, _ fields: [String]) -> RESPValue {
        .array([.bulkString(Array(id.utf8)), .array(fields.map { .bulkString(Array($0.utf8)) })])
    }

    @Test("RESP2 (array of streams) and RESP3 (map) replies give the same entries; a timeout gives none")
    func shapes() throws {
        let entries: RESPValue = .array([entry("1-0", ["pool", "default", "id", "a/1"]), entry("1-1", ["id", "a/2"])])
        let resp2 = RESPValue.array([.array([.bulkString(Array("s".utf8)), entries])])
        let resp3 = RESPValue.map([RESPPair(key: .bulkString(Array("s".utf8)), value: entries)])
        let expected = [
            RedisStreamEntry(id: "1-0", names: ["pool", "id"], values: ["default", "a/1"]),
            RedisStreamEntry(id: "1-1", names: ["id"], values: ["a/2"]),
        ]
        #expect(try RedisStreamReader.entries(in: resp2) == expected)
        #expect(try RedisStreamReader.entries(in: resp3) == expected)
        #expect(try RedisStreamReader.entries(in: .null) == [])
        #expect(expected[0]["id"] == "a/1" && expected[0]["missing"] == nil)
    }

    @Test("a reply of another shape is an error, not a guess", arguments: [
        RESPValue.integer(1),
        .array([.array([.bulkString([115])])]),
        .array([.array([.bulkString([115]), .array([.integer(1)])])]),
        .array([.array([.bulkString([115]), .array([.array([.bulkString([49]), .array([.bulkString([120])])])])])]),
    ])
    func otherShapes(reply: RESPValue) {
        #expect(throws: RedisError.self) { try RedisStreamReader.entries(in: reply) }
    }
}
