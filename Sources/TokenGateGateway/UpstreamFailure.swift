#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AsyncHTTPClient
import NIOCore
import NIOPosix
import NIOSSL

/// Why the upstream gave no response, as the agent hears it and as the ticket is settled.
struct UpstreamFailure {
    /// The request never left the gateway (no connection, no TLS session): its reservation is
    /// given back. Otherwise the provider may have charged it, and the estimate is charged.
    var neverReachedUpstream: Bool
    /// The upstream was too slow (504) rather than broken or unreachable (502).
    var timedOut: Bool
    /// One line for the agent and the log (never a header or a body).
    var reason: String

    init(_ error: any Error) {
        if let client = error as? HTTPClientError {
            switch client {
            case .readTimeout, .deadlineExceeded, .writeTimeout:
                self.init(neverReached: false, timedOut: true, reason: "the upstream did not answer in time")
            case .connectTimeout, .tlsHandshakeTimeout, .socksHandshakeTimeout, .httpProxyHandshakeTimeout:
                self.init(neverReached: true, timedOut: true, reason: "no connection to the upstream in time")
            case .invalidURL, .emptyHost:
                self.init(neverReached: true, timedOut: false, reason: "the upstream URL is not usable")
            default:
                self.init(neverReached: false, timedOut: false, reason: "the upstream failed: \(client.shortDescription)")
            }
        } else if error is NIOConnectionError || error is NIOSSLError {
            self.init(neverReached: true, timedOut: false, reason: "the upstream cannot be reached: \(Self.brief(error))")
        } else if let io = error as? IOError, Self.connectErrnos.contains(io.errnoCode) {
            self.init(neverReached: true, timedOut: false, reason: "the upstream cannot be reached: \(Self.brief(error))")
        } else if let channel = error as? ChannelError, case .connectTimeout = channel {
            self.init(neverReached: true, timedOut: true, reason: "no connection to the upstream in time")
        } else {
            self.init(neverReached: false, timedOut: false, reason: "the upstream failed: \(Self.brief(error))")
        }
    }

    private init(neverReached: Bool, timedOut: Bool, reason: String) {
        self.neverReachedUpstream = neverReached
        self.timedOut = timedOut
        self.reason = reason
    }

    private static let connectErrnos: Set<Int32> = [ECONNREFUSED, ENETUNREACH, EHOSTUNREACH, EHOSTDOWN, ENOENT, EADDRNOTAVAIL]

    private static func brief(_ error: any Error) -> String {
        let text = String(describing: error)
        return text.count > 200 ? String(text.prefix(200)) + "..." : text
    }

    var providerError: ProviderError {
        timedOut ? .gatewayTimeout("tokengate: \(reason)") : .badGateway("tokengate: \(reason)")
    }
}
