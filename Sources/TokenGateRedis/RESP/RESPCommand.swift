/// A command to Redis: its name and arguments, encoded as a RESP array of bulk strings.
public struct RESPCommand: Sendable, Hashable {
    /// The name and arguments, as sent.
    public var arguments: [[UInt8]]

    /// A command from its words (`["SET", "key", "value"]`).
    public init(_ words: [String]) {
        arguments = words.map { Array($0.utf8) }
    }

    /// A command from raw arguments.
    public init(bytes: [[UInt8]]) {
        arguments = bytes
    }

    /// The command's name, upper-cased (for errors and logs; never its arguments).
    public var name: String {
        arguments.first.map { String(decoding: $0, as: UTF8.self).uppercased() } ?? ""
    }

    /// The bytes on the wire.
    public func encoded() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16 + arguments.reduce(0) { $0 + $1.count + 16 })
        encode(into: &bytes)
        return bytes
    }

    /// Appends the bytes on the wire to `bytes`.
    public func encode(into bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "*"))
        bytes.append(contentsOf: String(arguments.count).utf8)
        bytes.append(contentsOf: [13, 10])
        for argument in arguments {
            bytes.append(UInt8(ascii: "$"))
            bytes.append(contentsOf: String(argument.count).utf8)
            bytes.append(contentsOf: [13, 10])
            bytes.append(contentsOf: argument)
            bytes.append(contentsOf: [13, 10])
        }
    }
}
