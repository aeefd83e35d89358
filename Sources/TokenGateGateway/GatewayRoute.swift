import NIOHTTP1

/// What a request's target says: the worker named by a `/w/NAME` prefix, the path to forward
/// (prefix stripped, query kept), and whether it is the gated endpoint.
struct GatewayRoute: Equatable {
    /// The worker from the path, when the path names one.
    var pathWorker: String?
    /// The target to forward upstream, starting with `/`.
    var forwardTarget: String
    /// Whether the request is the kind's gated endpoint (`POST /v1/messages` or
    /// `POST /v1/chat/completions`).
    var isGated: Bool

    /// The forwarded path without its query (what logs show: a query may carry secrets).
    var path: Substring { forwardTarget.prefix { $0 != "?" } }

    /// Reads `uri`; nil when it does not start with `/` or its `/w/` name is not a worker name.
    init?(method: HTTPMethod, uri: String, kind: UpstreamKind) {
        guard uri.hasPrefix("/") else { return nil }
        var target = Substring(uri)
        var worker: String?
        if target.hasPrefix("/w/") {
            let rest = target.dropFirst(3)
            let name = rest.prefix { $0 != "/" && $0 != "?" }
            guard WorkerName.isValid(name) else { return nil }
            worker = String(name)
            target = rest.dropFirst(name.count)
            if target.isEmpty || target.hasPrefix("?") { target = "/" + target }
        }
        let path = target.prefix { $0 != "?" }
        self.pathWorker = worker
        self.forwardTarget = String(target)
        self.isGated = method == .POST && (path == kind.gatedPath || path == kind.gatedPath + "/")
    }
}

/// The wire protocol's worker names: 1 to 64 of `A-Za-z0-9._:-`.
enum WorkerName {
    static func isValid(_ name: some StringProtocol) -> Bool {
        let utf8 = name.utf8
        guard (1...64).contains(utf8.count) else { return false }
        return utf8.allSatisfy { byte in
            (byte >= 48 && byte <= 57) || (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122)
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ":")
                || byte == UInt8(ascii: "-")
        }
    }
}
