/// Contract v2: the HTTP gateway's figures in the Status object,
/// `{"listen", "upstream", "requests", "in_flight", "errors"}`.
public struct GatewayStatus: Codable, Sendable, Equatable {
    /// The address the gateway listens on, `HOST:PORT`.
    public var listen: String
    /// The upstream's base URL (never with credentials).
    public var upstream: String
    /// Requests the gateway has taken since the daemon started, gated or passed through.
    public var requests: Int64
    /// Requests being served now (waiting for a grant, or forwarded and not yet answered).
    public var inFlight: Int64
    /// Requests that ended in a gateway error: upstream unreachable, timed out or broken, a bad
    /// request body, or a wait past `--gateway-max-wait`.
    public var errors: Int64

    public init(listen: String, upstream: String, requests: Int64, inFlight: Int64, errors: Int64) {
        self.listen = listen
        self.upstream = upstream
        self.requests = requests
        self.inFlight = inFlight
        self.errors = errors
    }

    enum CodingKeys: String, CodingKey {
        case listen, upstream, requests
        case inFlight = "in_flight"
        case errors
    }
}
