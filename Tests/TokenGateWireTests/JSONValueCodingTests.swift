import Testing

@testable import TokenGateWire

private struct Sample: Codable, Equatable {
    enum Kind: String, Codable { case one, two }
    struct Inner: Codable, Equatable {
        var values: [Int8]
        var maybe: Double?
    }

    var name: String
    var kind: Kind
    var big: UInt64
    var small: Int16
    var ratio: Float
    var flags: [Bool]
    var nested: [[String]]
    var inner: Inner
    var optional: String?
    var dictionary: [String: Int]
}

private final class Base: Codable {
    var base = 1
}

@Suite("Codable over JSONValue")
struct JSONValueCodingTests {
    private let sample = Sample(
        name: "n\u{e9}", kind: .two, big: UInt64.max, small: -300, ratio: 0.5, flags: [true, false],
        nested: [["a"], [], ["b", "c"]], inner: .init(values: [-128, 127], maybe: nil), optional: nil,
        dictionary: ["k": 1])

    @Test("encoding keeps declaration order and omits nil optionals")
    func encodes() throws {
        let value = try JSONValueEncoder().encode(sample)
        let object = try #require(value.objectValue)
        #expect(object.keys == ["name", "kind", "big", "small", "ratio", "flags", "nested", "inner", "dictionary"])
        #expect(object["kind"] == "two")
        #expect(object["small"] == -300)
        #expect(object["inner"] == ["values": [-128, 127]])
    }

    @Test("values round trip through encoder, serializer, parser and decoder")
    func roundTrip() throws {
        let value = try JSONValueEncoder().encode(sample)
        let reparsed = try JSONValue.parse(value.serialized())
        #expect(try JSONValueDecoder().decode(Sample.self, from: reparsed) == sample)
    }

    @Test("top-level scalars and arrays encode")
    func scalars() throws {
        #expect(try JSONValueEncoder().encode(5) == 5)
        #expect(try JSONValueEncoder().encode("s") == "s")
        #expect(try JSONValueEncoder().encode([1, 2]) == [1, 2])
        #expect(try JSONValueEncoder().encode(Double.nan).jsonText == "null")
        #expect(try JSONValueEncoder().encode(Base()) == ["base": 1])
    }

    @Test("decoding checks types and ranges")
    func decodingErrors() {
        #expect(throws: DecodingError.self) { try JSONValueDecoder().decode(Int8.self, from: 300) }
        #expect(throws: DecodingError.self) { try JSONValueDecoder().decode(Int.self, from: 1.5) }
        #expect(throws: DecodingError.self) { try JSONValueDecoder().decode(String.self, from: 1) }
        #expect(throws: DecodingError.self) { try JSONValueDecoder().decode([Int].self, from: ["a": 1]) }
        #expect(throws: DecodingError.self) { try JSONValueDecoder().decode(UInt.self, from: -1) }
        #expect((try? JSONValueDecoder().decode(Int.self, from: 5.0)) == 5)
        #expect((try? JSONValueDecoder().decode(Double.self, from: 5)) == 5)
        #expect((try? JSONValueDecoder().decode(String?.self, from: nil)) == .some(nil))
    }
}
