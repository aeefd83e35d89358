/// Where the Redis server is: `redis://HOST:PORT[/DB]` (TCP; the port defaults to 6379) or
/// `unix:///PATH` (a Unix socket, database 0).
public struct RedisEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// How to reach the server.
    public enum Address: Sendable, Hashable {
        case tcp(host: String, port: Int)
        case unixSocket(path: String)
    }

    public var address: Address
    /// The logical database, chosen with `SELECT` on every connection.
    public var database: Int

    /// The accepted forms, for error messages.
    public static let acceptedForms = "redis://HOST:PORT[/DB] or unix:///PATH"

    public init(address: Address, database: Int = 0) {
        self.address = address
        self.database = database
    }

    /// Parses a URL in one of the accepted forms.
    public init(url: String) throws(RedisEndpointError) {
        if url.hasPrefix("unix://") {
            let path = String(url.dropFirst("unix://".count))
            guard path.hasPrefix("/"), path.count > 1, !path.contains("\0") else {
                throw RedisEndpointError(url: url, reason: "a Unix socket URL needs an absolute path")
            }
            guard path.utf8.count < 108 else {
                throw RedisEndpointError(url: url, reason: "the socket path is 108 bytes or longer")
            }
            self.init(address: .unixSocket(path: path))
            return
        }
        guard url.hasPrefix("redis://") else {
            throw RedisEndpointError(url: url, reason: "the scheme is neither redis:// nor unix://")
        }
        var rest = Substring(url.dropFirst("redis://".count))
        var database = 0
        if let slash = rest.firstIndex(of: "/") {
            let tail = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
            if !tail.isEmpty {
                guard let number = Int(tail), (0...65535).contains(number) else {
                    throw RedisEndpointError(url: url, reason: "the database is not a number from 0")
                }
                database = number
            }
        }
        guard !rest.contains("@") else {
            throw RedisEndpointError(url: url, reason: "passwords in the URL are not supported")
        }
        let host: Substring
        var port = 6379
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else {
                throw RedisEndpointError(url: url, reason: "an IPv6 address lacks its ]")
            }
            host = rest[rest.index(after: rest.startIndex)..<close]
            rest = rest[rest.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":"), let number = Int(rest.dropFirst()) else {
                    throw RedisEndpointError(url: url, reason: "the port is not a number")
                }
                port = number
            }
        } else if let colon = rest.lastIndex(of: ":") {
            host = rest[..<colon]
            guard let number = Int(rest[rest.index(after: colon)...]) else {
                throw RedisEndpointError(url: url, reason: "the port is not a number")
            }
            port = number
        } else {
            host = rest
        }
        guard !host.isEmpty else { throw RedisEndpointError(url: url, reason: "the host is empty") }
        guard (1...65535).contains(port) else {
            throw RedisEndpointError(url: url, reason: "the port is not from 1 to 65535")
        }
        self.init(address: .tcp(host: String(host), port: port), database: database)
    }

    public var description: String {
        switch address {
        case .tcp(let host, let port):
            let shown = host.contains(":") ? "[\(host)]" : host
            return "redis://\(shown):\(port)" + (database == 0 ? "" : "/\(database)")
        case .unixSocket(let path):
            return "unix://\(path)"
        }
    }
}

/// A Redis URL that is not in an accepted form.
public struct RedisEndpointError: Error, Sendable, Hashable, CustomStringConvertible {
    public var url: String
    public var reason: String

    public var description: String {
        "bad Redis URL '\(url)': \(reason); use \(RedisEndpoint.acceptedForms)"
    }
}
