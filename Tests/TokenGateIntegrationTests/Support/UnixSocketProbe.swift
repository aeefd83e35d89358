import TokenGateWire

/// Whether something accepts connections on a Unix socket path (a connect and close, nothing sent).
enum UnixSocketProbe {
    static func accepts(_ path: String) -> Bool {
        UnixSocketConnector.accepts(path: path)
    }
}
