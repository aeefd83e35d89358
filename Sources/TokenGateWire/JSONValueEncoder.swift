/// Encodes any `Encodable` into a `JSONValue`, keeping object keys in the order the type encodes
/// them (for synthesized conformances: the order of the `CodingKeys`).
///
/// Used for the `Status` object so that it leaves the daemon with the contract's key order and
/// without Foundation's `JSONEncoder`. Non-finite floating-point values become `null`, as in
/// JavaScript's `JSON.stringify`; the encoder itself never throws, so an error can only come from a
/// type's own `encode(to:)`.
public struct JSONValueEncoder: Sendable {
    public init() {}

    /// The JSON value of `value`.
    public func encode(_ value: some Encodable) throws -> JSONValue {
        let root = EncodingNode()
        try value.encode(to: NodeEncoder(node: root, codingPath: []))
        return root.value
    }
}

/// A value under construction; containers share nodes so that nested encoders write through.
private final class EncodingNode {
    enum Content {
        case empty
        case single(JSONValue)
        case object([(key: String, node: EncodingNode)])
        case array([EncodingNode])
    }

    var content: Content = .empty

    var value: JSONValue {
        switch content {
        case .empty: return .object(JSONObject())
        case .single(let value): return value
        case .object(let members):
            return .object(JSONObject(members: members.map { JSONMember(key: $0.key, value: $0.node.value) }))
        case .array(let nodes): return .array(nodes.map(\.value))
        }
    }

    /// The child stored under `key`, created (or replaced by a fresh one) on demand.
    func child(forKey key: String, replacing: Bool) -> EncodingNode {
        var members: [(key: String, node: EncodingNode)]
        if case .object(let existing) = content { members = existing } else { members = [] }
        if let index = members.firstIndex(where: { $0.key == key }) {
            if !replacing { return members[index].node }
            let fresh = EncodingNode()
            members[index].node = fresh
            content = .object(members)
            return fresh
        }
        let fresh = EncodingNode()
        members.append((key, fresh))
        content = .object(members)
        return fresh
    }

    func makeObject() {
        if case .object = content { return }
        content = .object([])
    }

    func makeArray() {
        if case .array = content { return }
        content = .array([])
    }

    func appendChild() -> EncodingNode {
        var nodes: [EncodingNode]
        if case .array(let existing) = content { nodes = existing } else { nodes = [] }
        let fresh = EncodingNode()
        nodes.append(fresh)
        content = .array(nodes)
        return fresh
    }

    var arrayCount: Int {
        if case .array(let nodes) = content { return nodes.count }
        return 0
    }
}

private func jsonValue(of value: some BinaryFloatingPoint) -> JSONValue {
    .double(Double(value))
}

private func jsonValue(of value: some FixedWidthInteger) -> JSONValue {
    if let exact = Int64(exactly: value) { return .integer(exact) }
    return .number(JSONNumber(bigIntegerDigits: String(value), value: Double(value)))
}

private struct NodeEncoder: Encoder {
    let node: EncodingNode
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        node.makeObject()
        return KeyedEncodingContainer(NodeKeyedContainer<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        node.makeArray()
        return NodeUnkeyedContainer(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        NodeSingleContainer(node: node, codingPath: codingPath)
    }
}

private struct NodeKeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: EncodingNode
    let codingPath: [any CodingKey]

    private func set(_ value: JSONValue, _ key: Key) {
        node.child(forKey: key.stringValue, replacing: true).content = .single(value)
    }

    mutating func encodeNil(forKey key: Key) throws { set(.null, key) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { set(.bool(value), key) }
    mutating func encode(_ value: String, forKey key: Key) throws { set(.string(value), key) }
    mutating func encode(_ value: Double, forKey key: Key) throws { set(jsonValue(of: value), key) }
    mutating func encode(_ value: Float, forKey key: Key) throws { set(jsonValue(of: value), key) }
    mutating func encode(_ value: Int, forKey key: Key) throws { set(jsonValue(of: value), key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { set(jsonValue(of: value), key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { set(jsonValue(of: value), key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { set(jsonValue(of: value), key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { set(jsonValue(of: value), key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { set(jsonValue(of: value), key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { set(jsonValue(of: value), key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { set(jsonValue(of: value), key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { set(jsonValue(of: value), key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { set(jsonValue(of: value), key) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        let child = node.child(forKey: key.stringValue, replacing: true)
        try value.encode(to: NodeEncoder(node: child, codingPath: codingPath + [key]))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        let child = node.child(forKey: key.stringValue, replacing: false)
        child.makeObject()
        return KeyedEncodingContainer(NodeKeyedContainer<NestedKey>(node: child, codingPath: codingPath + [key]))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let child = node.child(forKey: key.stringValue, replacing: false)
        child.makeArray()
        return NodeUnkeyedContainer(node: child, codingPath: codingPath + [key])
    }

    mutating func superEncoder() -> any Encoder {
        NodeEncoder(node: node.child(forKey: "super", replacing: false), codingPath: codingPath)
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        NodeEncoder(node: node.child(forKey: key.stringValue, replacing: false), codingPath: codingPath + [key])
    }
}

private struct NodeUnkeyedContainer: UnkeyedEncodingContainer {
    let node: EncodingNode
    let codingPath: [any CodingKey]
    var count: Int { node.arrayCount }

    private func append(_ value: JSONValue) {
        node.appendChild().content = .single(value)
    }

    mutating func encodeNil() throws { append(.null) }
    mutating func encode(_ value: Bool) throws { append(.bool(value)) }
    mutating func encode(_ value: String) throws { append(.string(value)) }
    mutating func encode(_ value: Double) throws { append(jsonValue(of: value)) }
    mutating func encode(_ value: Float) throws { append(jsonValue(of: value)) }
    mutating func encode(_ value: Int) throws { append(jsonValue(of: value)) }
    mutating func encode(_ value: Int8) throws { append(jsonValue(of: value)) }
    mutating func encode(_ value: Int16) throws { append(jsonValue(of: value)) }
    mutating func encode(_ value: Int32) throws { append(jsonValue(of: value)) }
    mutating func encode(_ value: Int64) throws { append(jsonValue(of: value)) }
    mutating func encode(_ value: UInt) throws { append(jsonValue(of: value)) }
    mutating func encode(_ value: UInt8) throws { append(jsonValue(of: value)) }
    mutating func encode(_ value: UInt16) throws { append(jsonValue(of: value)) }
    mutating func encode(_ value: UInt32) throws { append(jsonValue(of: value)) }
    mutating func encode(_ value: UInt64) throws { append(jsonValue(of: value)) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        let index = count
        try value.encode(to: NodeEncoder(node: node.appendChild(), codingPath: codingPath + [IndexKey(index)]))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type
    ) -> KeyedEncodingContainer<NestedKey> {
        let index = count
        let child = node.appendChild()
        child.makeObject()
        return KeyedEncodingContainer(
            NodeKeyedContainer<NestedKey>(node: child, codingPath: codingPath + [IndexKey(index)]))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let index = count
        let child = node.appendChild()
        child.makeArray()
        return NodeUnkeyedContainer(node: child, codingPath: codingPath + [IndexKey(index)])
    }

    mutating func superEncoder() -> any Encoder {
        let index = count
        return NodeEncoder(node: node.appendChild(), codingPath: codingPath + [IndexKey(index)])
    }
}

private struct NodeSingleContainer: SingleValueEncodingContainer {
    let node: EncodingNode
    let codingPath: [any CodingKey]

    private func set(_ value: JSONValue) { node.content = .single(value) }

    mutating func encodeNil() throws { set(.null) }
    mutating func encode(_ value: Bool) throws { set(.bool(value)) }
    mutating func encode(_ value: String) throws { set(.string(value)) }
    mutating func encode(_ value: Double) throws { set(jsonValue(of: value)) }
    mutating func encode(_ value: Float) throws { set(jsonValue(of: value)) }
    mutating func encode(_ value: Int) throws { set(jsonValue(of: value)) }
    mutating func encode(_ value: Int8) throws { set(jsonValue(of: value)) }
    mutating func encode(_ value: Int16) throws { set(jsonValue(of: value)) }
    mutating func encode(_ value: Int32) throws { set(jsonValue(of: value)) }
    mutating func encode(_ value: Int64) throws { set(jsonValue(of: value)) }
    mutating func encode(_ value: UInt) throws { set(jsonValue(of: value)) }
    mutating func encode(_ value: UInt8) throws { set(jsonValue(of: value)) }
    mutating func encode(_ value: UInt16) throws { set(jsonValue(of: value)) }
    mutating func encode(_ value: UInt32) throws { set(jsonValue(of: value)) }
    mutating func encode(_ value: UInt64) throws { set(jsonValue(of: value)) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        try value.encode(to: NodeEncoder(node: node, codingPath: codingPath))
    }
}

/// The coding key of an array element.
struct IndexKey: CodingKey {
    let intValue: Int?
    var stringValue: String { intValue.map(String.init) ?? "" }

    init(_ index: Int) { intValue = index }
    init?(intValue: Int) { self.intValue = intValue }
    init?(stringValue: String) { nil }
}
