/// Where `tokengate serve --metrics` listens for Prometheus scrapes: `PORT` or `:PORT` on the
/// loopback address, `HOST:PORT` (or `[IPv6]:PORT`) on the host given. Port 0 asks the system for
/// a free port; the daemon logs the one it got.
public struct MetricsEndpoint: Hashable, Sendable, CustomStringConvertible {
    /// The address bound when none is given: loopback only.
    public static let defaultHost = "127.0.0.1"

    /// An IP address or a host name to bind.
    public var host: String
    /// A TCP port, 0 to 65535.
    public var port: Int

    /// An endpoint on `host` (the loopback address unless given) and `port`.
    public init(host: String = MetricsEndpoint.defaultHost, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `PORT`, `:PORT`, `HOST:PORT` or `[IPv6]:PORT`.
    public init(parsing text: String) throws(MetricsEndpointError) {
        let trimmed = text.trimmingWhitespace
        guard !trimmed.isEmpty else { throw MetricsEndpointError(text: text, reason: "it is empty") }
        let host: String
        let portText: Substring
        if trimmed.hasPrefix("[") {
            guard let close = trimmed.firstIndex(of: "]") else {
                throw MetricsEndpointError(text: text, reason: "an IPv6 address needs a closing ]")
            }
            host = String(trimmed[trimmed.index(after: trimmed.startIndex)..<close])
            let rest = trimmed[trimmed.index(after: close)...]
            guard rest.hasPrefix(":") else { throw MetricsEndpointError(text: text, reason: "expected :PORT after ]") }
            portText = rest.dropFirst()
        } else if let colon = trimmed.lastIndex(of: ":") {
            let hostPart = trimmed[..<colon]
            guard !hostPart.contains(":") else {
                throw MetricsEndpointError(text: text, reason: "write an IPv6 address in brackets, as [::1]:9464")
            }
            host = hostPart.isEmpty ? Self.defaultHost : String(hostPart)
            portText = trimmed[trimmed.index(after: colon)...]
        } else {
            host = Self.defaultHost
            portText = Substring(trimmed)
        }
        guard !host.isEmpty, !host.contains(where: \.isWhitespace) else {
            throw MetricsEndpointError(text: text, reason: "the host is not valid")
        }
        guard let port = Int(portText), (0...65_535).contains(port) else {
            throw MetricsEndpointError(text: text, reason: "the port must be a number from 0 to 65535")
        }
        self.init(host: host, port: port)
    }

    /// `HOST:PORT`, with brackets around an IPv6 host.
    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}

/// A `--metrics` value that is not `PORT`, `:PORT` or `HOST:PORT`.
public struct MetricsEndpointError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The value as given.
    public var text: String
    /// What is wrong with it.
    public var reason: String

    public var description: String {
        "invalid metrics address '\(text)': \(reason) (expected PORT, :PORT or HOST:PORT)"
    }
}

extension String {
    fileprivate var trimmingWhitespace: Substring {
        let start = firstIndex { !$0.isWhitespace } ?? endIndex
        let end = lastIndex { !$0.isWhitespace }.map { index(after: $0) } ?? start
        return self[start..<end]
    }
}
