import ArgumentParser
import TokenGateGateway

/// `serve --upstream-kind anthropic|openai`.
extension UpstreamKind: ExpressibleByArgument {
    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}
