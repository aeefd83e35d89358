/// Everything the gateway starts with (`serve --gateway ... --upstream ... --upstream-kind ...`).
public struct GatewayConfiguration: Sendable {
    /// Where to listen for agents.
    public var listen: GatewayListenAddress
    /// The provider's base URL, `https://api.anthropic.com` or a path-prefixed one.
    public var upstream: String
    public var kind: UpstreamKind
    /// The longest a gated request waits for its grant before it is answered 429.
    public var maxWaitSeconds: Double
    /// How long the upstream may stay silent (before its response head, or between two reads of
    /// the body) before the request is answered 504 or cut.
    public var upstreamTimeoutSeconds: Double
    /// A PEM file of certificate authorities to trust for a TLS upstream, besides the system's.
    public var upstreamCAFile: String?
    /// The largest request body the gateway takes (a larger one is answered 413).
    public var maxRequestBodyBytes: Int

    public static let defaultMaxWaitSeconds: Double = 600
    public static let defaultUpstreamTimeoutSeconds: Double = 600
    public static let defaultMaxRequestBodyBytes = 32 * 1024 * 1024

    public init(
        listen: GatewayListenAddress, upstream: String? = nil, kind: UpstreamKind = .anthropic,
        maxWaitSeconds: Double = defaultMaxWaitSeconds, upstreamTimeoutSeconds: Double = defaultUpstreamTimeoutSeconds,
        upstreamCAFile: String? = nil, maxRequestBodyBytes: Int = defaultMaxRequestBodyBytes
    ) {
        self.listen = listen
        self.kind = kind
        self.upstream = Self.trimmedBase(upstream ?? kind.defaultUpstream)
        self.maxWaitSeconds = maxWaitSeconds
        self.upstreamTimeoutSeconds = upstreamTimeoutSeconds
        self.upstreamCAFile = upstreamCAFile
        self.maxRequestBodyBytes = maxRequestBodyBytes
    }

    /// The base URL without a trailing slash, so that `base + "/v1/messages"` is right.
    static func trimmedBase(_ url: String) -> String {
        var base = url
        while base.hasSuffix("/") { base.removeLast() }
        return base
    }

    /// Whether `upstream` is an `http://` or `https://` URL with a host and no credentials.
    public var upstreamIsValid: Bool {
        let lower = upstream.lowercased()
        guard let schemeEnd = lower.range(of: "://") else { return false }
        let scheme = lower[..<schemeEnd.lowerBound]
        guard scheme == "http" || scheme == "https" else { return false }
        let rest = upstream[schemeEnd.upperBound...]
        let authority = rest.prefix { $0 != "/" }
        return !authority.isEmpty && !authority.contains("@")
    }
}
