import Foundation
import TokenGateWire

/// A blocking newline-delimited connection to a Unix socket with no library in between: what a
/// lean client in any language costs, so the socket benchmark measures the daemon rather than the
/// client. One thread at a time.
final class RawLineSocket {
    private let descriptor: Int32
    private var buffer = [UInt8](repeating: 0, count: 1 << 16)
    private var start = 0
    private var end = 0

    /// Connects to `path`, or throws.
    init(path: String) throws {
        do {
            descriptor = try UnixSocketConnector.connect(path: path)
        } catch {
            throw BenchError(error.description)
        }
    }

    deinit { close(descriptor) }

    /// Writes every byte of `line` (which carries its own newline).
    func send(_ line: [UInt8]) throws {
        var offset = 0
        while offset < line.count {
            let written = line[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            guard written > 0 else {
                if written < 0, errno == EINTR { continue }
                throw BenchError("write: \(String(cString: strerror(errno)))")
            }
            offset += written
        }
    }

    /// Reads the next line and hands its bytes (without the newline) to `body`.
    func receive<T>(_ body: (ArraySlice<UInt8>) throws -> T) throws -> T {
        while true {
            if let newline = buffer[start..<end].firstIndex(of: UInt8(ascii: "\n")) {
                let line = buffer[start..<newline]
                start = newline + 1
                return try body(line)
            }
            if start > 0 {
                buffer.withUnsafeMutableBytes { raw in
                    guard let base = raw.baseAddress else { return }
                    memmove(base, base + start, end - start)
                }
                end -= start
                start = 0
            }
            guard end < buffer.count else { throw BenchError("reply line longer than \(buffer.count) bytes") }
            let count = buffer.withUnsafeMutableBytes { raw in
                read(descriptor, raw.baseAddress.map { $0 + end }, raw.count - end)
            }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { throw BenchError("the daemon closed the connection") }
            end += count
        }
    }
}

extension ArraySlice where Element == UInt8 {
    /// Whether the bytes contain `needle`.
    func contains(_ needle: [UInt8]) -> Bool { range(of: needle) != nil }

    /// The first range where `needle` occurs. Written out rather than the standard library's
    /// generic `firstRange(of:)`, which cost these clients about a fifth of their round trips per
    /// second (16 clients, measured side by side): the clients share the daemon's cores.
    func range(of needle: [UInt8]) -> Range<Index>? {
        guard !needle.isEmpty, count >= needle.count else { return nil }
        var index = startIndex
        while index <= endIndex - needle.count {
            if self[index] == needle[0], self[index..<(index + needle.count)].elementsEqual(needle) {
                return index..<(index + needle.count)
            }
            index += 1
        }
        return nil
    }

    /// The string value that follows `"key":"` up to the next quote (no escapes expected).
    func stringValue(after key: [UInt8]) -> ArraySlice<UInt8>? {
        guard let found = range(of: key) else { return nil }
        let rest = self[found.upperBound...]
        guard let quote = rest.firstIndex(of: UInt8(ascii: "\"")) else { return nil }
        return rest[..<quote]
    }
}
