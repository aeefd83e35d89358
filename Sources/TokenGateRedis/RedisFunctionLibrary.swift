/// A Redis 7 function library: Lua source starting with `#!lua name=NAME`, loaded with
/// `FUNCTION LOAD REPLACE` on every connection and again whenever a call finds it missing (after
/// a `FUNCTION FLUSH` or a restart of Redis without its data).
public struct RedisFunctionLibrary: Sendable, Hashable {
    public var name: String
    public var source: String

    public init(name: String, source: String) {
        self.name = name
        self.source = source
    }

    /// The command that loads (or replaces) the library.
    public var loadCommand: RESPCommand { RESPCommand(["FUNCTION", "LOAD", "REPLACE", source]) }

    /// Whether an error reply means the function is not loaded.
    public static func isMissingFunction(_ message: String) -> Bool {
        message.hasPrefix("NOSCRIPT") || message.contains("Function not found")
    }
}
