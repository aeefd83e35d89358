/// Why a `--config` file was not used. Reads as one line naming the file, the line when known,
/// and the key.
public struct ConfigFileError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: Equatable, Sendable {
        /// The file could not be read.
        case unreadable(reason: String)
        /// The file is not valid TOML.
        case syntax(message: String, column: Int)
        /// A key that is not a serve flag; `suggestion` is the flag it probably meant.
        case unknownKey(suggestion: String?)
        /// A value of the wrong TOML type, such as a string where a number belongs.
        case wrongType(expected: String, found: String)
        /// A value of the right type that is out of range or not understood.
        case invalidValue(reason: String)
        /// Two keys that exclude each other, such as `state` and `no-state = true`.
        case conflict(otherKey: String)
    }

    /// The file as given to `--config`.
    public var path: String
    /// The line (from 1) where the problem is, when known.
    public var line: Int?
    /// The key concerned, when there is one.
    public var key: String?
    public var kind: Kind

    public init(path: String, line: Int?, key: String?, kind: Kind) {
        self.path = path
        self.line = line
        self.key = key
        self.kind = kind
    }

    public var description: String {
        let place = line.map { "config \(path), line \($0)" } ?? "config \(path)"
        let name = key.map { "'\($0)'" } ?? ""
        switch kind {
        case .unreadable(let reason):
            return "\(place): cannot read it: \(reason)"
        case .syntax(let message, let column):
            return "\(place), column \(column): not valid TOML: \(message)"
        case .unknownKey(let suggestion):
            let hint = suggestion.map { " (did you mean '\($0)'?)" } ?? ""
            return "\(place): unknown key \(name)\(hint); known keys: \(ServeConfigKey.allCases.map(\.rawValue).joined(separator: ", "))"
        case .wrongType(let expected, let found):
            return "\(place): \(name) must be \(expected), not \(found)"
        case .invalidValue(let reason):
            return "\(place): \(name) \(reason)"
        case .conflict(let other):
            return "\(place): \(name) and '\(other)' exclude each other"
        }
    }
}
