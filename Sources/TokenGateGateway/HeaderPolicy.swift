import NIOHTTP1

/// Which headers cross the gateway. End-to-end headers pass untouched, credentials included;
/// hop-by-hop headers (RFC 9110 section 7.6.1, and any a `connection` header names), the
/// framing headers the gateway sets itself, and the gateway's own `x-tokengate-*` do not.
enum HeaderPolicy {
    private static let hopByHop: Set<String> = [
        "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection", "te",
        "trailer", "transfer-encoding", "upgrade",
    ]

    /// The request headers to send upstream. `host` and `content-length` are set by the client
    /// library from the URL and the body; `identityEncoding` asks for an uncompressed response
    /// (gated requests, whose usage the gateway reads).
    static func upstreamRequestHeaders(_ headers: HTTPHeaders, identityEncoding: Bool) -> HTTPHeaders {
        // `expect: 100-continue` was answered by the gateway itself.
        var result = endToEnd(headers, alsoDropping: ["host", "content-length", "expect"])
        result.remove(name: "x-tokengate-worker")
        result.remove(name: "x-tokengate-priority")
        for (name, _) in result where name.lowercased().hasPrefix("x-tokengate-") { result.remove(name: name) }
        if identityEncoding {
            result.replaceOrAdd(name: "accept-encoding", value: "identity")
        }
        return result
    }

    /// The response headers to send the agent. `keepsLength` false drops `content-length` (the
    /// gateway changes the body, or the client library framed it).
    static func clientResponseHeaders(_ headers: HTTPHeaders, keepsLength: Bool) -> HTTPHeaders {
        endToEnd(headers, alsoDropping: keepsLength ? [] : ["content-length"])
    }

    /// The headers as a name-to-value map for `observe` (the last value of a repeated name).
    static func observable(_ headers: HTTPHeaders) -> [String: String] {
        var map: [String: String] = [:]
        for (name, value) in headers {
            let lower = name.lowercased()
            if lower == "retry-after" || lower.hasPrefix("anthropic-ratelimit-") || lower.hasPrefix("x-ratelimit-") {
                map[lower] = value
            }
        }
        return map
    }

    private static func endToEnd(_ headers: HTTPHeaders, alsoDropping extra: Set<String>) -> HTTPHeaders {
        var named: Set<String> = []
        for value in headers["connection"] {
            for token in value.split(separator: ",") {
                named.insert(token.trimmingCharacters(in: " \t").lowercased())
            }
        }
        var result = HTTPHeaders()
        for (name, value) in headers {
            let lower = name.lowercased()
            if hopByHop.contains(lower) || named.contains(lower) || extra.contains(lower) { continue }
            result.add(name: name, value: value)
        }
        return result
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: String) -> Substring {
        var slice = self
        while let first = slice.first, set.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, set.contains(last) { slice = slice.dropLast() }
        return slice
    }
}
