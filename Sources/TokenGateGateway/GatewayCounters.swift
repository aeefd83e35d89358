import NIOConcurrencyHelpers
import TokenGateServer
import TokenGateWire

/// The gateway's running figures: for the Status object (`gateway`) and for metrics.
final class GatewayCounters: GatewayStatusSource {
    struct Figures {
        var requests: Int64 = 0
        var inFlight: Int64 = 0
        var errors: Int64 = 0
        /// Time from sending a request upstream to its response head, summed, and how many.
        var upstreamLatencySumSeconds: Double = 0
        var upstreamResponses: Int64 = 0
    }

    let listen: String
    let upstream: String
    private let figures = NIOLockedValueBox(Figures())

    init(listen: String, upstream: String) {
        self.listen = listen
        self.upstream = upstream
    }

    func started() { figures.withLockedValue { $0.requests += 1; $0.inFlight += 1 } }
    func finished() { figures.withLockedValue { $0.inFlight -= 1 } }
    func failed() { figures.withLockedValue { $0.errors += 1 } }

    func upstreamResponded(after seconds: Double) {
        figures.withLockedValue {
            $0.upstreamLatencySumSeconds += seconds
            $0.upstreamResponses += 1
        }
    }

    var current: Figures { figures.withLockedValue { $0 } }

    func gatewayMetrics() -> GatewayMetricsFigures {
        let now = current
        return GatewayMetricsFigures(
            requests: now.requests, inFlight: now.inFlight, errors: now.errors,
            upstreamLatencySumSeconds: now.upstreamLatencySumSeconds, upstreamResponses: now.upstreamResponses
        )
    }

    func gatewayStatus() -> GatewayStatus {
        let now = current
        return GatewayStatus(
            listen: listen, upstream: upstream, requests: now.requests, inFlight: now.inFlight, errors: now.errors
        )
    }
}
