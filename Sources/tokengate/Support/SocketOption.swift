import ArgumentParser
import Foundation
import TokenGateWire

/// `--socket PATH`, shared by every command that talks to the daemon.
struct SocketOption: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The daemon's Unix socket.",
            discussion: "Default: $TOKENGATE_SOCKET, else $XDG_RUNTIME_DIR/tokengate.sock, else /tmp/tokengate-<uid>/tokengate.sock.",
            valueName: "path"
        )
    )
    var socket: String?

    /// The path in use, after the contract's defaults.
    var resolvedPath: String {
        SocketPath.resolve(explicit: socket, environment: ProcessInfo.processInfo.environment, uid: getuid())
    }

    func validate() throws {
        if resolvedPath.utf8.count > SocketPath.maximumLength {
            throw ValidationError("socket path is longer than \(SocketPath.maximumLength) bytes: \(resolvedPath)")
        }
    }
}
