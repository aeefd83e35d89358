import Testing
import TokenGateRedis

/// Decodes `text` fed in one piece; every reply, or the error.
private func decodeAll(_ bytes: [UInt8], limits: RESPLimits = RESPLimits()) throws(RESPDecodingError) -> [RESPValue] {
    var decoder = RESPDecoder(limits: limits)
    decoder.append(bytes)
    var values: [RESPValue] = []
    while let value = try decoder.next() { values.append(value) }
    return values
}

private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

@Suite("RESP decoder")
struct RESPDecoderTests {
    static let everyType: [(String, RESPValue)] = [
        ("+OK\r\n", .simpleString("OK")),
        ("-ERR wrong\r\n", .error("ERR wrong")),
        (":-42\r\n", .integer(-42)),
        ("$5\r\nhe\r\no\r\n", .bulkString(Array("he\r\no".utf8))),
        ("$0\r\n\r\n", .bulkString([])),
        ("$-1\r\n", .null),
        ("*-1\r\n", .null),
        ("*0\r\n", .array([])),
        ("*2\r\n:1\r\n*1\r\n$1\r\nx\r\n", .array([.integer(1), .array([.bulkString([120])])])),
        ("_\r\n", .null),
        (",3.5\r\n", .double(3.5)),
        (",-inf\r\n", .double(-.infinity)),
        ("#t\r\n", .boolean(true)),
        ("#f\r\n", .boolean(false)),
        ("(12345678901234567890\r\n", .simpleString("12345678901234567890")),
        ("!5\r\nERR x\r\n", .error("ERR x")),
        ("=8\r\ntxt:abcd\r\n", .bulkString(Array("abcd".utf8))),
        ("%1\r\n+k\r\n:2\r\n", .map([RESPPair(key: .simpleString("k"), value: .integer(2))])),
        ("~2\r\n:1\r\n:2\r\n", .array([.integer(1), .integer(2)])),
        (">2\r\n+message\r\n+x\r\n", .push([.simpleString("message"), .simpleString("x")])),
        ("|1\r\n+ttl\r\n:3\r\n:7\r\n", .integer(7)),
    ]

    @Test("every RESP2 and RESP3 type decodes", arguments: 0..<everyType.count)
    func everyTypeDecodes(index: Int) throws {
        let (text, expected) = Self.everyType[index]
        #expect(try decodeAll(bytes(text)) == [expected])
    }

    @Test("a stream of every type split at every byte decodes to the same replies")
    func splitAtEveryByte() throws {
        let stream = bytes(Self.everyType.map(\.0).joined())
        let expected = Self.everyType.map(\.1)
        for cut in 0...stream.count {
            var decoder = RESPDecoder()
            var values: [RESPValue] = []
            decoder.append(stream[..<cut])
            while let value = try decoder.next() { values.append(value) }
            decoder.append(stream[cut...])
            while let value = try decoder.next() { values.append(value) }
            #expect(values == expected, "cut at \(cut)")
            #expect(decoder.bufferedByteCount == 0)
        }
    }

    @Test("bytes fed one at a time decode to the same replies")
    func oneByteAtATime() throws {
        var decoder = RESPDecoder()
        var values: [RESPValue] = []
        for byte in bytes(Self.everyType.map(\.0).joined()) {
            decoder.append([byte])
            while let value = try decoder.next() { values.append(value) }
        }
        #expect(values == Self.everyType.map(\.1))
    }

    @Test("an incomplete reply returns nothing and keeps its bytes")
    func incompleteReply() throws {
        var decoder = RESPDecoder()
        decoder.append(bytes("*2\r\n$3\r\nfoo\r\n$3\r\nba"))
        #expect(try decoder.next() == nil)
        #expect(decoder.bufferedByteCount == 19)
        decoder.append(bytes("r\r\n"))
        #expect(try decoder.next() == .array([.bulkString(bytes("foo")), .bulkString(bytes("bar"))]))
        #expect(try decoder.next() == nil)
    }

    @Test("a bulk string over the limit is refused from its header, before its bytes arrive")
    func bulkLimit() {
        let limits = RESPLimits(maximumBulkLength: 10)
        #expect(throws: RESPDecodingError.bulkTooLong(11)) { try decodeAll(bytes("$11\r\n"), limits: limits) }
        #expect(throws: RESPDecodingError.bulkTooLong(Int.max)) {
            try decodeAll(bytes("$\(Int.max)\r\n"), limits: limits)
        }
        #expect((try? decodeAll(bytes("$10\r\n0123456789\r\n"), limits: limits)) == [.bulkString(bytes("0123456789"))])
    }

    @Test("an aggregate over the limit is refused from its header")
    func aggregateLimit() {
        let limits = RESPLimits(maximumAggregateLength: 4)
        #expect(throws: RESPDecodingError.aggregateTooLong(5)) { try decodeAll(bytes("*5\r\n"), limits: limits) }
        #expect(throws: RESPDecodingError.aggregateTooLong(6)) { try decodeAll(bytes("%3\r\n"), limits: limits) }
        #expect(throws: RESPDecodingError.aggregateTooLong(1_000_000_000)) {
            try decodeAll(bytes("*1000000000\r\n"), limits: limits)
        }
    }

    @Test("nesting deeper than the limit is refused, even before the inner values arrive")
    func depthLimit() {
        let limits = RESPLimits(maximumDepth: 3)
        #expect((try? decodeAll(bytes("*1\r\n*1\r\n*1\r\n:1\r\n"), limits: limits)) == [.array([.array([.array([.integer(1)])])])])
        #expect(throws: RESPDecodingError.nestedTooDeep(4)) { try decodeAll(bytes("*1\r\n*1\r\n*1\r\n*1\r\n"), limits: limits) }
        let deep = String(repeating: "*1\r\n", count: 100_000)
        #expect(throws: RESPDecodingError.nestedTooDeep(17)) { try decodeAll(bytes(deep)) }
    }

    @Test("a line without its CRLF past the line limit is refused")
    func lineLimit() {
        let limits = RESPLimits(maximumLineLength: 8)
        #expect(throws: RESPDecodingError.lineTooLong(8)) { try decodeAll(bytes("+" + String(repeating: "a", count: 20)), limits: limits) }
        #expect((try? decodeAll(bytes("+aaaaaaaa\r\n"), limits: limits)) == [.simpleString("aaaaaaaa")])
    }

    @Test("an incomplete reply may not buffer more than the reply limit")
    func replyLimit() throws {
        let limits = RESPLimits(maximumReplyBytes: 64)
        var decoder = RESPDecoder(limits: limits)
        decoder.append(bytes("*100\r\n"))
        #expect(try decoder.next() == nil)
        for _ in 0..<20 { decoder.append(bytes(":1\r\n")) }
        #expect(throws: RESPDecodingError.replyTooLarge(64)) { try decoder.next() }
    }

    @Test("malformed input gets a clear error", arguments: [
        ("?x\r\n", RESPDecodingError.unknownType(UInt8(ascii: "?"))),
        (":12a\r\n", .malformedLine("integer")),
        (":99999999999999999999\r\n", .malformedLine("integer")),
        ("$-2\r\n", .malformedLine("bulk string length")),
        ("$x\r\n", .malformedLine("bulk string length")),
        ("$3\r\nabcde", .missingCRLF),
        ("*-5\r\n", .malformedLine("aggregate length")),
        ("+a\rb\r\n", .malformedLine("line ending")),
        ("#x\r\n", .malformedLine("boolean")),
        (",abc\r\n", .malformedLine("double")),
        ("_x\r\n", .malformedLine("null")),
    ])
    func malformed(text: String, error: RESPDecodingError) {
        #expect(throws: error) { try decodeAll(bytes(text)) }
        #expect(!error.description.isEmpty)
    }

    @Test("a long run of small replies is decoded and its buffer let go")
    func manyReplies() throws {
        var decoder = RESPDecoder()
        var count = 0
        for _ in 0..<2_000 {
            decoder.append(bytes(String(repeating: ":7\r\n", count: 50)))
            while let value = try decoder.next() {
                #expect(value == .integer(7))
                count += 1
            }
        }
        #expect(count == 100_000)
        #expect(decoder.bufferedByteCount == 0)
    }
}

@Suite("RESP commands")
struct RESPCommandTests {
    @Test("a command encodes as an array of bulk strings, binary-safe")
    func encoding() {
        #expect(RESPCommand(["SET", "k", "a\r\nb"]).encoded() == bytes("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$4\r\na\r\nb\r\n"))
        #expect(RESPCommand(["PING"]).name == "PING")
        #expect(RESPCommand(bytes: [[0, 255]]).encoded() == bytes("*1\r\n$2\r\n") + [0, 255, 13, 10])
    }

    @Test("an encoded command decodes as the array of its arguments")
    func roundTrip() throws {
        let command = RESPCommand(["FCALL", "tg_acquire", "1", "{tg:org}", "ünï", ""])
        #expect(try decodeAll(command.encoded()) == [.array(command.arguments.map { .bulkString($0) })])
    }
}
