import Foundation

/// Where the journal lives: `--state PATH`, else `$XDG_STATE_HOME/tokengate/usage.sqlite`, else
/// `~/.local/state/tokengate/usage.sqlite`.
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
