/// Appends JSON text to a byte buffer. The building block of every encoder in this module: replies
/// on the hot path are written field by field without building a `JSONValue` first.
public struct JSONWriter: Sendable {
    /// The UTF-8 written so far.
    public var bytes: [UInt8]

    /// A writer with room for `capacity` bytes before it reallocates.
    public init(capacity: Int = 128) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Appends bytes as they are (the caller vouches that they are valid JSON text in context).
    public mutating func writeRaw(_ raw: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: raw.utf8Start, count: raw.utf8CodeUnitCount))
    }

    /// Appends bytes as they are (the caller vouches that they are valid JSON text in context).
    public mutating func writeRaw(_ raw: [UInt8]) {
        bytes.append(contentsOf: raw)
    }

    /// Appends a string literal with its quotes, escaping `"`, `\` and the control characters.
    /// Other characters, non-ASCII included, are written as their UTF-8.
    public mutating func writeString(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            var runStart = utf8.startIndex
            for position in utf8.indices {
                let byte = utf8[position]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<position]))
                appendEscape(for: byte)
                runStart = position + 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<utf8.endIndex]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func appendEscape(for byte: UInt8) {
        bytes.append(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""): bytes.append(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\"))
        case 0x08: bytes.append(UInt8(ascii: "b"))
        case 0x0C: bytes.append(UInt8(ascii: "f"))
        case 0x0A: bytes.append(UInt8(ascii: "n"))
        case 0x0D: bytes.append(UInt8(ascii: "r"))
        case 0x09: bytes.append(UInt8(ascii: "t"))
        default:
            let hex: StaticString = "0123456789abcdef"
            bytes.append(UInt8(ascii: "u"))
            bytes.append(UInt8(ascii: "0"))
            bytes.append(UInt8(ascii: "0"))
            bytes.append(hex.utf8Start[Int(byte >> 4)])
            bytes.append(hex.utf8Start[Int(byte & 0x0F)])
        }
    }

    /// Appends an integer in decimal.
    public mutating func writeInteger(_ value: Int64) {
        if value >= 0, value < 10 {
            bytes.append(UInt8(ascii: "0") + UInt8(value))
            return
        }
        var magnitude = value.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: room for 20 digits
        let count = withUnsafeMutableBytes(of: &digits) { buffer -> Int in
            var position = buffer.count
            repeat {
                position -= 1
                buffer[position] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            return buffer.count - position
        }
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        withUnsafeBytes(of: &digits) { buffer in
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[(buffer.count - count)...]))
        }
    }

    /// Appends a number: integer literals in decimal (big ones digit for digit), others in Swift's shortest round-trip form,
    /// non-finite values as `null`.
    public mutating func writeNumber(_ number: JSONNumber) {
        if let integer = number.int64Value {
            writeInteger(integer)
        } else if let digits = number.bigIntegerDigits {
            bytes.append(contentsOf: digits.utf8)
        } else {
            writeDouble(number.doubleValue)
        }
    }

    /// Appends a `Double` in Swift's shortest round-trip form (`0.9`, `5.0`, `1e-07`); `null` when
    /// it is not finite, as JavaScript's `JSON.stringify` does.
    public mutating func writeDouble(_ value: Double) {
        guard value.isFinite else {
            writeRaw("null")
            return
        }
        bytes.append(contentsOf: value.description.utf8)
    }

    /// Appends `true` or `false`.
    public mutating func writeBool(_ value: Bool) {
        if value { writeRaw("true") } else { writeRaw("false") }
    }

    /// Appends any JSON value.
    public mutating func writeValue(_ value: JSONValue) {
        switch value {
        case .null: writeRaw("null")
        case .bool(let flag): writeBool(flag)
        case .number(let number): writeNumber(number)
        case .string(let text): writeString(text)
        case .array(let elements):
            bytes.append(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                if position > 0 { bytes.append(UInt8(ascii: ",")) }
                writeValue(element)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let object):
            bytes.append(UInt8(ascii: "{"))
            writeMembers(of: object, leadingComma: false)
            bytes.append(UInt8(ascii: "}"))
        }
    }

    /// Appends `"key":value` pairs for every member, separated by commas; with `leadingComma`, a
    /// comma before the first one too (for extending an object already started).
    public mutating func writeMembers(of object: JSONObject, leadingComma: Bool) {
        var needsComma = leadingComma
        for member in object.members {
            if needsComma { bytes.append(UInt8(ascii: ",")) }
            needsComma = true
            writeString(member.key)
            bytes.append(UInt8(ascii: ":"))
            writeValue(member.value)
        }
    }

    /// Appends the newline that ends a protocol line.
    public mutating func writeNewline() {
        bytes.append(UInt8(ascii: "\n"))
    }
}

extension JSONValue {
    /// The value as compact JSON text in UTF-8, without a trailing newline.
    public func serialized() -> [UInt8] {
        var writer = JSONWriter()
        writer.writeValue(self)
        return writer.bytes
    }

    /// The value as compact JSON text.
    public var jsonText: String {
        String(decoding: serialized(), as: UTF8.self)
    }
}
