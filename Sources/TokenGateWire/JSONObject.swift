/// One `"key": value` pair of a JSON object.
public struct JSONMember: Sendable, Equatable {
    public var key: String
    public var value: JSONValue

    public init(key: String, value: JSONValue) {
        self.key = key
        self.value = value
    }
}

/// A JSON object that keeps its members in the order they were written or added.
///
/// Lookup is a linear scan, which beats hashing for the handful of keys a protocol line carries.
/// When a key occurs more than once (the parser allows it, as JSON does), lookup returns the last
/// occurrence, as JavaScript and Python do. Two objects are equal when they have the same keys with
/// equal values, whatever the order.
public struct JSONObject: Sendable, Equatable, ExpressibleByDictionaryLiteral, Sequence {
    /// The members in order, duplicates included.
    public private(set) var members: [JSONMember]

    /// An empty object.
    public init() {
        self.members = []
    }

    /// An object with these members, in this order.
    public init(members: [JSONMember]) {
        self.members = members
    }

    /// An object with these members, in this order.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.members = elements.map { JSONMember(key: $0.0, value: $0.1) }
    }

    /// The number of members, duplicates included.
    public var count: Int { members.count }

    /// Whether the object has no members.
    public var isEmpty: Bool { members.isEmpty }

    /// The keys in order, duplicates included.
    public var keys: [String] { members.map(\.key) }

    /// The value of the last member named `key`. Setting replaces that member's value in place, or
    /// appends a new member; setting `nil` removes every member named `key`.
    public subscript(key: String) -> JSONValue? {
        get {
            // Comparing lengths first (O(1) for native strings) skips most string comparisons.
            let length = key.utf8.count
            var index = members.endIndex
            while index > members.startIndex {
                index -= 1
                let candidate = members[index].key
                if candidate.utf8.count == length, candidate == key { return members[index].value }
            }
            return nil
        }
        set {
            guard let newValue else {
                members.removeAll { $0.key == key }
                return
            }
            if let index = members.lastIndex(where: { $0.key == key }) {
                members[index].value = newValue
            } else {
                members.append(JSONMember(key: key, value: newValue))
            }
        }
    }

    /// Appends a member without looking for an existing one of the same name.
    public mutating func append(_ key: String, _ value: JSONValue) {
        members.append(JSONMember(key: key, value: value))
    }

    public func makeIterator() -> IndexingIterator<[JSONMember]> {
        members.makeIterator()
    }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.isSubset(of: rhs) && rhs.isSubset(of: lhs)
    }

    private func isSubset(of other: JSONObject) -> Bool {
        members.allSatisfy { member in other[member.key] == self[member.key] }
    }
}
