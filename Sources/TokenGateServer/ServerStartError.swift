/// Why a daemon could not start. Each case reads as one clear line for stderr.
public enum ServerStartError: Error, Equatable, Sendable, CustomStringConvertible {
    case alreadyRunning(path: String)
    case notASocket(path: String)
    case pathTooLong(path: String, limit: Int)
    case directory(path: String, reason: String)
    case unknownGroup(String)
    case bind(path: String, reason: String)
    case metrics(address: String, reason: String)

    public var description: String {
        switch self {
        case .alreadyRunning(let path): "already running: a daemon answers on \(path)"
        case .notASocket(let path): "\(path) exists and is not a socket; refusing to replace it"
        case .pathTooLong(let path, let limit): "socket path is longer than \(limit) bytes: \(path)"
        case .directory(let path, let reason): "cannot prepare socket directory \(path): \(reason)"
        case .unknownGroup(let group): "unknown group: \(group)"
        case .bind(let path, let reason): "cannot listen on \(path): \(reason)"
        case .metrics(let address, let reason): "cannot serve metrics on \(address): \(reason)"
        }
    }
}
