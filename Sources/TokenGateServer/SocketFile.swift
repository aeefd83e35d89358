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
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            buffer.copyBytes(from: bytes)
            buffer[bytes.count] = 0
        }
        let result = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        return result == 0
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
