import Foundation
import TokenGateWire

/// A blocking newline-JSON client over a Unix socket, as any language would write one: no
/// TokenGateClient in between, so tests can send exactly the bytes they mean. Used by one thread at
/// a time.
public final class LineClient: @unchecked Sendable {
    private let descriptor: Int32
    private var pending: [UInt8] = []

    /// Connects to `path`, or throws.
    public init(path: String) throws {
        do {
            descriptor = try UnixSocketConnector.connect(path: path)
        } catch {
            throw TestFailure(error.description)
        }
    }

    deinit { close(descriptor) }

    /// Sends one line (a newline is added).
    public func send(_ line: String) throws {
        try send(bytes: Array((line + "\n").utf8))
    }

    /// Sends raw bytes, exactly as given.
    public func send(bytes: [UInt8]) throws {
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
    public func readLine(timeout: Double = 10) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeFirst(newline + 1)
                return line
            }
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else { throw TestFailure("no reply within \(timeout) s") }
            guard try waitReadable(milliseconds: Int32(min(remaining * 1000, 1000))) else { continue }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { throw TestFailure("connection closed") }
            pending.append(contentsOf: chunk[..<count])
        }
    }

    /// Whether the daemon closed the connection within `timeout` seconds (unread lines are skipped).
    public func isClosedByPeer(timeout: Double = 5) throws -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while deadline.timeIntervalSinceNow > 0 {
            guard try waitReadable(milliseconds: 200) else { continue }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { return true }
            if count < 0 { return errno == ECONNRESET }
        }
        return false
    }

    /// Sends a request and parses its reply.
    public func request(_ line: String, timeout: Double = 10) throws -> JSONValue {
        try send(line)
        return try JSONValue.parse(Array(try readLine(timeout: timeout).utf8))
    }

    /// Reads one line and parses it.
    public func readReply(timeout: Double = 10) throws -> JSONValue {
        try JSONValue.parse(Array(try readLine(timeout: timeout).utf8))
    }

    /// The daemon's Status object.
    public func status() throws -> Status {
        let reply = try request(#"{"op":"status"}"#)
        guard let status = reply["status"] else { throw TestFailure("no status in \(reply.jsonText)") }
        return try Status(json: status)
    }

    private func waitReadable(milliseconds: Int32) throws -> Bool {
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        let ready = poll(&poller, 1, milliseconds)
        if ready < 0, errno != EINTR { throw TestFailure("poll: \(String(cString: strerror(errno)))") }
        return ready > 0
    }
}
