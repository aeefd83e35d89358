import Foundation
import TokenGateWire

/// A blocking newline-JSON client over a Unix socket, as any language would write one. Used by one
/// thread at a time.
final class LineClient: @unchecked Sendable {
    private let descriptor: Int32
    private var pending: [UInt8] = []

    /// Connects to `path`, or throws.
    init(path: String) throws {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw TestFailure("socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            close(descriptor)
            throw TestFailure("socket path too long: \(path)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw TestFailure("connect \(path): \(reason)")
        }
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// Sends one line (a newline is added).
    func send(_ line: String) throws {
        let bytes = Array((line + "\n").utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            guard written > 0 else {
                if written < 0, errno == EINTR { continue }
                throw TestFailure("write: \(String(cString: strerror(errno)))")
            }
            offset += written
        }
    }

    /// Reads one line, waiting at most `timeout` seconds.
    func readLine(timeout: Double = 10) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeFirst(newline + 1)
                return line
            }
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else { throw TestFailure("no reply within \(timeout) s") }
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, Int32(min(remaining * 1000, 1000)))
            if ready < 0, errno != EINTR { throw TestFailure("poll: \(String(cString: strerror(errno)))") }
            guard ready > 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { throw TestFailure("connection closed") }
            pending.append(contentsOf: chunk[..<count])
        }
    }

    /// Sends a request and parses its reply.
    func request(_ line: String, timeout: Double = 10) throws -> JSONValue {
        try send(line)
        return try JSONValue.parse(Array(try readLine(timeout: timeout).utf8))
    }

    /// The daemon's Status object.
    func status() throws -> Status {
        let reply = try request(#"{"op":"status"}"#)
        guard let status = reply["status"] else { throw TestFailure("no status in \(reply.jsonText)") }
        return try Status(json: status)
    }
}
