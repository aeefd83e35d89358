/// Where the daemon's socket lives when `--socket` is not given: `$TOKENGATE_SOCKET`, else
/// `$XDG_RUNTIME_DIR/tokengate.sock`, else `/tmp/tokengate-<uid>/tokengate.sock`.
public enum SocketPath {
    /// The contract's default socket path for `environment` and `uid`.
    public static func resolve(explicit: String?, environment: [String: String], uid: UInt32) -> String {
        if let explicit, !explicit.isEmpty { return explicit }
        if let path = environment["TOKENGATE_SOCKET"], !path.isEmpty { return path }
        if let runtime = environment["XDG_RUNTIME_DIR"], !runtime.isEmpty {
            return runtime.hasSuffix("/") ? runtime + "tokengate.sock" : runtime + "/tokengate.sock"
        }
        return fallbackDirectory(uid: uid) + "/tokengate.sock"
    }

    /// `/tmp/tokengate-<uid>`: created 0700 by the daemon when it is the directory in use.
    public static func fallbackDirectory(uid: UInt32) -> String { "/tmp/tokengate-\(uid)" }

    /// The longest path a Unix socket address holds (`sun_path` is 108 bytes with its NUL).
    public static let maximumLength = 107
}
