/// Why the gateway could not start, as one line.
public struct GatewayStartError: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
