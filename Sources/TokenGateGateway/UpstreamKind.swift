/// Which provider API the gateway fronts: it decides the gated path, the default upstream, how
/// usage is read from responses and the shape of the gateway's own errors.
public enum UpstreamKind: String, Sendable, CaseIterable {
    case anthropic
    case openai

    /// The path of the gated endpoint (after any `/w/NAME` prefix).
    public var gatedPath: String {
        switch self {
        case .anthropic: "/v1/messages"
        case .openai: "/v1/chat/completions"
        }
    }

    /// `--upstream`'s default.
    public var defaultUpstream: String {
        switch self {
        case .anthropic: "https://api.anthropic.com"
        case .openai: "https://api.openai.com"
        }
    }
}
