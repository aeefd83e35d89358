/// The keys a `tokengate serve --config` file may hold: the long names of the serve flags,
/// without the dashes in front.
public enum ServeConfigKey: String, CaseIterable, Sendable {
    case socket
    case limit
    case window
    case threshold
    case inputLimit = "input-limit"
    case outputLimit = "output-limit"
    case requestsLimit = "requests-limit"
    case countCacheRead = "count-cache-read"
    case lease
    case allowGroup = "allow-group"
    case state
    case noState = "no-state"
    case retain
    case logLevel = "log-level"
    case metrics
    case sendMargin = "send-margin"
    case reserveHigh = "reserve-high"
    case algorithm
    case gateway
    case upstream
    case upstreamKind = "upstream-kind"
    case gatewayMaxWait = "gateway-max-wait"
    case upstreamTimeout = "upstream-timeout"
    case upstreamCA = "upstream-ca"
    case redis
    case org
    case hostName = "host-name"
    case pools

    /// The key a misspelt one most likely meant: the same name with `_` for `-`, or in another case.
    static func suggestion(for unknown: String) -> ServeConfigKey? {
        let normalized = unknown.lowercased().replacingOccurrences(of: "_", with: "-")
        let trimmed = normalized.hasPrefix("--") ? String(normalized.dropFirst(2)) : normalized
        return ServeConfigKey(rawValue: trimmed)
    }
}
