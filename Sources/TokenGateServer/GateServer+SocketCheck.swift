extension GateServer {
    /// Makes the socket path ready without binding it: creates its directory (0700), refuses a
    /// live daemon or a file that is not a socket, and removes a stale socket file. `serve` calls
    /// it before it opens anything else (the journal), so a daemon refused here leaves no trace.
    public static func prepareSocket(path: String) throws(ServerStartError) {
        try SocketFile.prepare(path: path)
    }
}
