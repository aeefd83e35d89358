import Foundation
import TokenGateWire

/// Where the journal lives: `--state PATH`, else `$XDG_STATE_HOME/tokengate/usage.sqlite`, else
/// `~/.local/state/tokengate/usage.sqlite`; a daemon on a socket other than the default one keeps
/// `usage-<socket>.sqlite` in the same directory instead.
public enum JournalPath {
    /// The file name inside the state directory.
    public static let fileName = "usage.sqlite"

    /// The path in use, after the defaults. A relative `$XDG_STATE_HOME` is ignored, as the XDG
    /// specification asks.
    public static func resolve(explicit: String?, environment: [String: String], home: String?) -> String {
        if let explicit, !explicit.isEmpty { return explicit }
        if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") {
            return join(state, "tokengate", fileName)
        }
        let base = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home ?? "/tmp"
        return join(base, ".local", "state", "tokengate", fileName)
    }

    /// The path in use for this process (its environment and home directory).
    public static func resolve(explicit: String?) -> String {
        resolve(
            explicit: explicit, environment: ProcessInfo.processInfo.environment,
            home: FileManager.default.homeDirectoryForCurrentUser.path
        )
    }

    /// The path in use for the daemon on `socketPath`: `explicit` when given; the default path when
    /// the socket is the default one (`defaultSocketPath`); else a journal of that socket's own in
    /// the same directory, `usage-<socket path with / as ->.sqlite`, so two daemons on two sockets
    /// never share one journal by default.
    public static func resolve(
        explicit: String?, socketPath: String, defaultSocketPath: String, environment: [String: String], home: String?
    ) -> String {
        let path = resolve(explicit: explicit, environment: environment, home: home)
        if let explicit, !explicit.isEmpty { return path }
        guard socketPath != defaultSocketPath else { return path }
        let directory = (path as NSString).deletingLastPathComponent
        return (directory as NSString).appendingPathComponent(fileName(forSocket: socketPath))
    }

    /// The same for this process (its environment, uid and home directory).
    public static func resolve(explicit: String?, socketPath: String) -> String {
        let environment = ProcessInfo.processInfo.environment
        return resolve(
            explicit: explicit, socketPath: socketPath,
            defaultSocketPath: SocketPath.resolve(explicit: nil, environment: environment, uid: getuid()),
            environment: environment, home: FileManager.default.homeDirectoryForCurrentUser.path
        )
    }

    /// `usage-tmp-tg-a.sock.sqlite` for `/tmp/tg-a.sock`: the path's characters other than
    /// `A-Za-z0-9._-` become `_`, its slashes `-`.
    public static func fileName(forSocket socketPath: String) -> String {
        let trimmed = socketPath.drop { $0 == "/" }
        let slug = String(trimmed.map { character -> Character in
            if character == "/" { return "-" }
            if character.isASCII, character.isLetter || character.isNumber || "._-".contains(character) {
                return character
            }
            return "_"
        })
        return "usage-\(slug).sqlite"
    }

    /// Creates the missing directories above `path`, each with mode 0700.
    static func prepareDirectory(for path: String) throws(JournalFault) {
        let directory = (path as NSString).deletingLastPathComponent
        guard !directory.isEmpty else { return }
        try makeDirectories(directory)
    }

    private static func makeDirectories(_ directory: String) throws(JournalFault) {
        var status = stat()
        if stat(directory, &status) == 0 {
            guard status.st_mode & S_IFMT == S_IFDIR else {
                throw JournalFault(kind: .unwritable, description: "cannot use \(directory) as a directory: it is a file")
            }
            return
        }
        let parent = (directory as NSString).deletingLastPathComponent
        if !parent.isEmpty, parent != directory { try makeDirectories(parent) }
        if mkdir(directory, 0o700) != 0, errno != EEXIST {
            throw JournalFault.system("create directory", path: directory, errno: errno)
        }
    }

    private static func join(_ parts: String...) -> String {
        parts.dropFirst().reduce(parts[0]) { ($0 as NSString).appendingPathComponent($1) }
    }
}
