#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TokenGateWire

/// The socket file on disk: made ready before binding, removed at exit, never anything else.
enum SocketFile {
    /// Creates the socket's directory (0700) when missing, refuses a live daemon or a non-socket
    /// path, and removes a stale socket file.
    static func prepare(path: String) throws(ServerStartError) {
        guard path.utf8.count <= SocketPath.maximumLength else {
            throw .pathTooLong(path: path, limit: SocketPath.maximumLength)
        }
        try ensureDirectory(of: path)
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        guard (info.st_mode & S_IFMT) == S_IFSOCK else { throw .notASocket(path: path) }
        if answers(path: path) { throw .alreadyRunning(path: path) }
        unlink(path)
    }

    /// Removes the file at `path` if, and only if, it is a socket.
    static func remove(path: String) {
        var info = stat()
        guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFSOCK else { return }
        unlink(path)
    }

    /// Whether something accepts connections on the socket at `path`.
    static func answers(path: String) -> Bool {
        UnixSocketConnector.accepts(path: path)
    }

    private static func ensureDirectory(of path: String) throws(ServerStartError) {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return }
        let directory = String(path[..<slash])
        var info = stat()
        if stat(directory, &info) == 0 {
            guard (info.st_mode & S_IFMT) == S_IFDIR else {
                throw .directory(path: directory, reason: "not a directory")
            }
            return
        }
        if mkdir(directory, 0o700) != 0, errno != EEXIST {
            throw .directory(path: directory, reason: String(cString: strerror(errno)))
        }
    }
}
