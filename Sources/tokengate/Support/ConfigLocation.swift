import Foundation
import TokenGateConfig
import TokenGateWire

/// The configuration file a command reads: `--config FILE` when given, else the default file when
/// it exists (`$XDG_CONFIG_HOME/tokengate/serve.toml`, else `~/.config/tokengate/serve.toml`).
struct LoadedConfig {
    /// The settings the file holds.
    let file: ServeConfigFile
    /// Where it was read from.
    let path: String
    /// Whether `--config` named it (rather than it being found at the default path).
    let isExplicit: Bool

    /// The default file's path for `environment`; a relative `$XDG_CONFIG_HOME` is ignored, as
    /// the XDG specification asks.
    static func defaultPath(environment: [String: String], home: String?) -> String {
        if let config = environment["XDG_CONFIG_HOME"], config.hasPrefix("/") {
            return (config as NSString).appendingPathComponent("tokengate/serve.toml")
        }
        let base = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home ?? "/tmp"
        return (base as NSString).appendingPathComponent(".config/tokengate/serve.toml")
    }

    /// Reads `explicit`, else the default file if there is one; nil when neither. A file that
    /// cannot be read or checked is a usage error (exit 2) after one line naming the file.
    static func load(explicit: String?) throws -> LoadedConfig? {
        let path: String
        let isExplicit: Bool
        if let explicit, !explicit.isEmpty {
            path = explicit
            isExplicit = true
        } else {
            path = defaultPath(
                environment: ProcessInfo.processInfo.environment, home: FileManager.default.homeDirectoryForCurrentUser.path
            )
            guard FileManager.default.fileExists(atPath: path) else { return nil }
            isExplicit = false
        }
        do {
            return LoadedConfig(file: try ServeConfigFile.load(path: path), path: path, isExplicit: isExplicit)
        } catch {
            throw failure(error.description, code: .usage)
        }
    }

    /// The daemon's socket: `--socket`, else an explicit config file's `socket`, else
    /// `$TOKENGATE_SOCKET`, else the default config file's `socket`, else the contract's defaults
    /// (`$XDG_RUNTIME_DIR/tokengate.sock`, `/tmp/tokengate-<uid>/tokengate.sock`).
    static func socketPath(explicit: String?, config: LoadedConfig?) -> String {
        let environment = ProcessInfo.processInfo.environment
        if let explicit, !explicit.isEmpty { return explicit }
        if let config, config.isExplicit, let socket = config.file.socket { return socket }
        if let socket = environment["TOKENGATE_SOCKET"], !socket.isEmpty { return socket }
        return SocketPath.resolve(explicit: config?.file.socket, environment: environment, uid: getuid())
    }
}
