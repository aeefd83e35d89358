/// Where the gateway listens: `HOST:PORT`, or a bare `PORT` or `:PORT` on 127.0.0.1.
public struct GatewayListenAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Reads `HOST:PORT`, `:PORT` or `PORT` (0 to 65535; 0 picks a free port); nil otherwise.
    /// An IPv6 host is written in brackets, `[::1]:8080`.
    public init?(parsing text: String) {
        let host: Substring
        let portText: Substring
        if let colon = text.lastIndex(of: ":") {
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        } else {
            host = ""
            portText = Substring(text)
        }
        guard !portText.isEmpty, portText.allSatisfy({ $0.isASCII && $0.isNumber }), let port = Int(portText),
            port <= 65535
        else { return nil }
        var name = host.isEmpty ? "127.0.0.1" : String(host)
        if name.hasPrefix("[") && name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
        guard !name.isEmpty, !name.contains(where: { $0 == " " || $0 == "/" }) else { return nil }
        self.init(host: name, port: port)
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
