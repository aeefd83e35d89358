import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Short, readable reasons for connection failures ("No such file or directory" rather than NIO's
/// full error description).
enum ConnectionFailure {
    /// The reason `error` gives, for people.
    static func describe(_ error: any Error) -> String {
        if let ioError = error as? IOError {
            return errnoText(ioError.errnoCode)
        }
        if let channelError = error as? ChannelError {
            switch channelError {
            case .connectTimeout: return "timed out connecting"
            case .eof: return "the daemon closed the connection"
            default: return "\(channelError)"
            }
        }
        if let addressError = error as? SocketAddressError {
            switch addressError {
            case .unixDomainSocketPathTooLong: return "the socket path is too long for a Unix socket"
            default: return "\(addressError)"
            }
        }
        return "\(error)"
    }

    /// The C library's text for an errno value.
    static func errnoText(_ code: CInt) -> String {
        guard let text = strerror(code) else { return "errno \(code)" }
        return String(cString: text)
    }
}
