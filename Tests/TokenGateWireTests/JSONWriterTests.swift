import Testing

@testable import TokenGateWire

@Suite("JSON writer")
struct JSONWriterTests {
    private func text(_ value: JSONValue) -> String { value.jsonText }

    @Test(
        "strings are escaped",
        arguments: [
            ("plain", #""plain""#),
            ("quote\"back\\slash", #""quote\"back\\slash""#),
            ("a/b", #""a/b""#),
            ("\n\r\t\u{8}\u{c}", #""\n\r\t\b\f""#),
            ("\u{0}\u{1}\u{1f}", #""\u0000\u0001\u001f""#),
            ("\u{7f}", "\"\u{7f}\""),
            ("h\u{e9}llo \u{1F600}", "\"h\u{e9}llo \u{1F600}\""),
            ("\u{2028}", "\"\u{2028}\""),
        ] as [(String, String)])
    func escaping(input: String, expected: String) {
        #expect(text(.string(input)) == expected)
    }

    @Test(
        "strings round trip through the writer and the parser",
        arguments: [
            "", "x", "\"", "\\", "\\\"", "\u{0}", "line\nbreak", "tab\tand\u{1}ctrl",
            "\u{e9}\u{20ac}\u{1F600}\u{10FFFF}", "ab\"\\\nab\"\\\n",
            "{\"nested\":\"json\"}", "</script>",
        ])
    func stringRoundTrip(input: String) throws {
        let value = JSONValue.string(input)
        #expect(try JSONValue.parse(value.serialized()) == value)
    }

    @Test(
        "integers are written in decimal",
        arguments: [
            (0, "0"), (7, "7"), (10, "10"), (-1, "-1"), (1_234_567_890, "1234567890"),
            (Int64.max, "9223372036854775807"), (Int64.min, "-9223372036854775808"),
            (9_007_199_254_740_991, "9007199254740991"),
        ] as [(Int64, String)])
    func integers(value: Int64, expected: String) {
        #expect(text(.integer(value)) == expected)
    }

    @Test("a long string with many escapes round trips")
    func longStringRoundTrip() throws {
        let value = JSONValue.string(String(repeating: "ab\"\\\n\u{1}\u{e9}", count: 5000))
        #expect(try JSONValue.parse(value.serialized()) == value)
    }

    @Test("big integer literals keep their digits")
    func bigIntegers() throws {
        for literal in ["9223372036854775808", "-9223372036854775809", "18446744073709551615", "123456789012345678901234567890"] {
            #expect(try JSONValue.parse(literal).jsonText == literal)
        }
    }

    @Test("doubles use the shortest round-trip form; non-finite ones become null")
    func doubles() throws {
        #expect(text(.double(0.9)) == "0.9")
        #expect(text(.double(5)) == "5.0")
        #expect(text(.double(-2.5e-7)) == "-2.5e-07")
        #expect(text(.double(.infinity)) == "null")
        #expect(text(.double(.nan)) == "null")
        for double in [0.1, 1.0 / 3.0, 1e300, -Double.leastNonzeroMagnitude, 123_456.789] {
            #expect(try JSONValue.parse(text(.double(double))).doubleValue == double)
        }
    }

    @Test("nested values serialize compactly and keep key order")
    func compound() {
        let value: JSONValue = ["b": [1, true, nil], "a": ["x": "y"], "c": 1.5]
        #expect(text(value) == #"{"b":[1,true,null],"a":{"x":"y"},"c":1.5}"#)
    }

    @Test("documents round trip through the writer and the parser")
    func documentRoundTrip() throws {
        let documents = [
            #"{"op":"report","id":"r-1","input":100,"output":20,"nested":[{"a":[]},{}],"f":-0.5,"t":true,"n":null}"#,
            #"[[[["deep"]]],"\u00e9\ud83d\ude00\n"]"#,
        ]
        for document in documents {
            let value = try JSONValue.parse(document)
            #expect(try JSONValue.parse(value.serialized()) == value)
        }
    }

    @Test("object equality ignores member order")
    func objectEquality() {
        let left: JSONValue = ["a": 1, "b": 2]
        let right: JSONValue = ["b": 2, "a": 1]
        #expect(left == right)
        #expect(left != ["a": 1])
        #expect(left != ["a": 1, "b": 3])
    }
}
