import ArgumentParser
import TokenGateWire

/// `--config FILE` for the commands that talk to a daemon: they read its `socket` (and `history`
/// its `state`), so they find the daemon the file configures.
struct ConfigOption: ParsableArguments {
    @Option(
        name: .customLong("config"),
        help: ArgumentHelp(
            "The daemon's TOML config file, for its socket.",
            discussion: "Default: $XDG_CONFIG_HOME/tokengate/serve.toml, else ~/.config/tokengate/serve.toml, when it exists.",
            valueName: "file"
        )
    )
    var config: String?
}

extension SocketOption {
    /// The socket in use after `--socket`, the config file (`config`, or the default file when it
    /// exists) and the contract's defaults. A config file that does not check is a usage error.
    func resolvedPath(config: ConfigOption) throws -> String {
        let loaded = try LoadedConfig.load(explicit: config.config)
        return try checked(LoadedConfig.socketPath(explicit: socket, config: loaded))
    }

    /// `path`, or a usage error when it is too long for a Unix socket.
    func checked(_ path: String) throws -> String {
        guard path.utf8.count <= SocketPath.maximumLength else {
            throw failure("socket path is longer than \(SocketPath.maximumLength) bytes: \(path)", code: .usage)
        }
        return path
    }
}
