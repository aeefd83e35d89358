/// A pattern for model names: `*` stands for any run of characters, everything else for itself
/// (`claude-sonnet-*`, `gpt-4o*`, `*haiku*`).
public struct ModelGlob: Hashable, Sendable, CustomStringConvertible {
    /// The pattern as written.
    public let pattern: String
    private let parts: [Part]

    private enum Part: Hashable, Sendable {
        case literal(Character)
        case star
    }

    /// A glob; an empty pattern is refused.
    public init(_ pattern: String) throws(PoolError) {
        guard !pattern.isEmpty else { throw .emptyGlob }
        self.pattern = pattern
        var parts: [Part] = []
        for character in pattern {
            if character == "*" {
                if parts.last != .star { parts.append(.star) }
            } else {
                parts.append(.literal(character))
            }
        }
        self.parts = parts
    }

    public var description: String { pattern }

    /// Whether `model` is one of the names this glob stands for.
    public func matches(_ model: String) -> Bool {
        Self.covers(parts[...], Array(model).map(Part.literal)[...])
    }

    /// Whether every name `other` matches is matched by this glob too: a later `other` could
    /// never be reached after it.
    public func covers(_ other: ModelGlob) -> Bool {
        Self.covers(parts[...], other.parts[...])
    }

    /// Whether the pattern `pattern` matches every string of `target`, a sequence of literals
    /// and stars: a literal of the pattern matches only the same literal; a star of the pattern
    /// matches any run of the target's parts (a star of the target only through a star).
    private static func covers(_ pattern: ArraySlice<Part>, _ target: ArraySlice<Part>) -> Bool {
        var memo: [Int: Bool] = [:]
        func match(_ p: Int, _ t: Int) -> Bool {
            let key = p * (target.count + 1) + t
            if let known = memo[key] { return known }
            let result: Bool
            if p == pattern.count {
                result = t == target.count
            } else {
                switch pattern[pattern.startIndex + p] {
                case .star:
                    result = match(p + 1, t) || (t < target.count && match(p, t + 1))
                case .literal(let character):
                    result = t < target.count && target[target.startIndex + t] == .literal(character) && match(p + 1, t + 1)
                }
            }
            memo[key] = result
            return result
        }
        return match(0, 0)
    }
}
