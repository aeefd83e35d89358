import Testing

@testable import TokenGateWire

@Suite("JSON parser")
struct JSONParserTests {
    @Test(
        "valid documents parse to the expected value",
        arguments: [
            ("null", JSONValue.null),
            ("true", .bool(true)),
            (" false ", .bool(false)),
            ("0", .integer(0)),
            ("-0", .integer(0)),
            ("42", .integer(42)),
            ("-9223372036854775808", .integer(Int64.min)),
            ("9223372036854775807", .integer(Int64.max)),
            ("1.5", .double(1.5)),
            ("5.0", .double(5.0)),
            ("1e3", .double(1000)),
            ("-2.5E-3", .double(-0.0025)),
            ("\"\"", .string("")),
            ("\"h\u{e9}llo \u{1F600}\"", .string("h\u{e9}llo \u{1F600}")),
            (#""a\"b\\c\/d\b\f\n\r\t""#, .string("a\"b\\c/d\u{8}\u{c}\n\r\t")),
            (#""\u0041\u00e9\u20AC\ud83d\ude00""#, .string("A\u{e9}\u{20ac}\u{1F600}")),
            (#""\u0000""#, .string("\u{0}")),
            ("[]", .array([])),
            ("{}", .object(JSONObject())),
            ("[1, \"a\", [null], {\"k\": false}]", [1, "a", [nil], ["k": false]]),
            ("\t{\"a\" : 1 ,\"b\":[ ] }\r\n", ["a": 1, "b": []]),
        ] as [(String, JSONValue)])
    func parsesValid(text: String, expected: JSONValue) throws {
        #expect(try JSONValue.parse(text) == expected)
        #expect(try JSONValue.parse(Array(text.utf8)) == expected)
    }

    @Test(
        "invalid documents are refused with the right reason",
        arguments: [
            ("", JSONParseError.Reason.empty),
            ("   ", .empty),
            ("not json", .unexpectedByte(UInt8(ascii: "o"))),
            ("nul", .unexpectedEnd),
            ("truex", .trailingData),
            ("{} {}", .trailingData),
            ("1 2", .trailingData),
            ("[1,]", .unexpectedByte(UInt8(ascii: "]"))),
            ("[1 2]", .unexpectedByte(UInt8(ascii: "2"))),
            ("{\"a\":1,}", .unexpectedByte(UInt8(ascii: "}"))),
            ("{\"a\" 1}", .unexpectedByte(UInt8(ascii: "1"))),
            ("{a:1}", .unexpectedByte(UInt8(ascii: "a"))),
            ("{'a':1}", .unexpectedByte(UInt8(ascii: "'"))),
            ("[1", .unexpectedEnd),
            ("{\"a\":", .unexpectedEnd),
            ("\"abc", .unexpectedEnd),
            ("\"a\tb\"", .controlCharacterInString),
            ("\"a\nb\"", .controlCharacterInString),
            (#""\x""#, .invalidEscape),
            (#""\u12""#, .invalidUnicodeEscape),
            (#""\u12g4""#, .invalidUnicodeEscape),
            (#""\ud83d""#, .invalidUnicodeEscape),
            (#""\ud83dx""#, .invalidUnicodeEscape),
            (#""\ud83d\u0041""#, .invalidUnicodeEscape),
            (#""\ude00""#, .invalidUnicodeEscape),
            ("01", .invalidNumber),
            ("-", .invalidNumber),
            ("-a", .invalidNumber),
            ("1.", .invalidNumber),
            (".5", .unexpectedByte(UInt8(ascii: "."))),
            ("1e", .invalidNumber),
            ("1e+", .invalidNumber),
            ("+1", .unexpectedByte(UInt8(ascii: "+"))),
            ("NaN", .unexpectedByte(UInt8(ascii: "N"))),
        ] as [(String, JSONParseError.Reason)])
    func refusesInvalid(text: String, reason: JSONParseError.Reason) {
        #expect(throws: JSONParseError.self) { try JSONValue.parse(text) }
        do {
            _ = try JSONValue.parse(text)
        } catch {
            #expect(error.reason == reason)
        }
    }

    @Test(
        "invalid UTF-8 is refused",
        arguments: [
            [0x22, 0xFF, 0x22],  // never valid
            [0x22, 0xC0, 0xAF, 0x22],  // overlong '/'
            [0x22, 0xE0, 0x80, 0xAF, 0x22],  // overlong 3-byte
            [0x22, 0xED, 0xA0, 0x80, 0x22],  // encoded surrogate U+D800
            [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22],  // above U+10FFFF
            [0x22, 0xC3, 0x22],  // truncated sequence
            [0x22, 0x80, 0x22],  // lone continuation byte
            [0x22, 0xE2, 0x82],  // truncated at end of input
        ] as [[UInt8]])
    func refusesInvalidUTF8(bytes: [UInt8]) {
        #expect(throws: JSONParseError.self) { try JSONValue.parse(bytes) }
    }

    @Test("non-ASCII outside strings is refused")
    func refusesNonASCIIOutsideStrings() {
        #expect(throws: JSONParseError(.unexpectedByte(0xEF), at: 0)) {
            try JSONValue.parse([0xEF, 0xBB, 0xBF] + Array("{}".utf8))
        }
    }

    @Test("valid multi-byte UTF-8 at every length parses")
    func acceptsMultiByteUTF8() throws {
        let text = "\u{7F}\u{80}\u{7FF}\u{800}\u{FFFF}\u{10000}\u{10FFFF}"
        #expect(try JSONValue.parse("\"\(text)\"") == .string(text))
    }

    @Test("nesting is limited to 64 levels")
    func nestingLimit() throws {
        let ok = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(throws: Never.self) { try JSONValue.parse(ok) }
        let tooDeep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(throws: JSONParseError(.tooDeep, at: 64)) { try JSONValue.parse(tooDeep) }
        let deepObjects = String(repeating: "{\"a\":", count: 65) + "1" + String(repeating: "}", count: 65)
        #expect(throws: JSONParseError.self) { try JSONValue.parse(deepObjects) }
        // Depth is about nesting, not about how many containers there are.
        let wide = "[" + Array(repeating: "[[]]", count: 200).joined(separator: ",") + "]"
        #expect(throws: Never.self) { try JSONValue.parse(wide) }
    }

    @Test("numbers remember their literal form")
    func numberForms() throws {
        let integer = try #require(try JSONValue.parse("7").numberValue)
        #expect(integer.isIntegerLiteral && integer.int64Value == 7)
        let fraction = try #require(try JSONValue.parse("7.0").numberValue)
        #expect(!fraction.isIntegerLiteral && fraction.int64Value == nil && fraction.exactInt64 == 7)
        let exponent = try #require(try JSONValue.parse("7e0").numberValue)
        #expect(!exponent.isIntegerLiteral && exponent.doubleValue == 7)
        let huge = try #require(try JSONValue.parse("9223372036854775808").numberValue)
        #expect(huge.isIntegerLiteral && huge.int64Value == nil && huge.doubleValue == 9_223_372_036_854_775_808)
        let hugeNegative = try #require(try JSONValue.parse("-9223372036854775809").numberValue)
        #expect(hugeNegative.isIntegerLiteral && hugeNegative.int64Value == nil)
        let overflow = try #require(try JSONValue.parse("1e400").numberValue)
        #expect(overflow.doubleValue == .infinity)
    }

    @Test("duplicate keys are kept and lookup takes the last")
    func duplicateKeys() throws {
        let value = try JSONValue.parse(#"{"a":1,"b":2,"a":3}"#)
        let object = try #require(value.objectValue)
        #expect(object.count == 3)
        #expect(object["a"] == 3)
        #expect(object.keys == ["a", "b", "a"])
    }

    @Test("every input form parses the same")
    func inputForms() throws {
        let text = #"{"op":"status","id":"x"}"#
        let expected: JSONValue = ["op": "status", "id": "x"]
        #expect(try JSONValue.parse(text) == expected)
        #expect(try JSONValue.parse(Array(text.utf8)) == expected)
        #expect(try JSONValue.parse(text.utf8) == expected)
        #expect(try JSONValue.parse(ArraySlice(Array(text.utf8))) == expected)
        // A collection without contiguous storage goes through an array copy.
        #expect(try JSONValue.parse(text.utf8.lazy.map { $0 }) == expected)
        let viaRaw = try Array(text.utf8).withUnsafeBytes { try JSONValue.parse($0) }
        #expect(viaRaw == expected)
    }

    @Test("error descriptions name the problem and the offset")
    func errorDescriptions() {
        #expect(JSONParseError(.unexpectedByte(UInt8(ascii: "x")), at: 3).description == "unexpected character 'x' at byte 3")
        #expect(JSONParseError(.unexpectedByte(0xFF), at: 0).description == "unexpected byte 0xFF at byte 0")
        #expect(JSONParseError(.tooDeep, at: 64).description == "nesting deeper than 64 at byte 64")
    }
}
