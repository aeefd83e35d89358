import NIOConcurrencyHelpers
import NIOCore
import TokenGateCore
import TokenGateWire

/// The server's `GatewayGate`: every call hops onto the gate host's event loop.
struct GateHostGatewayAccess: GatewayGate {
    let host: NIOLoopBound<GateHost>
    /// Owners for gateway requests, numbered apart from the socket's sessions.
    private let nextOwner = NIOLockedValueBox<UInt64>(1 << 62)

    init(host: NIOLoopBound<GateHost>) {
        self.host = host
    }

    private var loop: EventLoop { host.eventLoop }

    func acquire(_ request: GatewayAcquire) async -> GatewayAcquireOutcome {
        let owner = OwnerID(rawValue: nextOwner.withLockedValue { value in
            defer { value += 1 }
            return value
        })
        let promise = loop.makePromise(of: GatewayAcquireOutcome.self)
        let host = self.host
        loop.execute { host.value.gatewayAcquire(request, owner: owner, promise: promise) }
        return await withTaskCancellationHandler {
            (try? await promise.futureResult.get()) ?? .shuttingDown
        } onCancel: {
            host.eventLoop.execute { host.value.gatewayCancel(owner: owner) }
        }
    }

    func report(ticket: String?, usage: Usage, worker: String, model: String?) async {
        await onGateLoop { $0.gatewayReport(ticket: ticket, usage: usage, worker: worker, model: model) }
    }

    func release(ticket: String) async {
        await onGateLoop { $0.gatewayRelease(ticket: ticket) }
    }

    func observe(headers: [String: String], worker: String, model: String?) async {
        await onGateLoop { $0.gatewayObserve(headers: headers, worker: worker, model: model) }
    }

    func throttled(retryAfterMs: Int64, worker: String, model: String?) async {
        await onGateLoop { $0.gatewayThrottled(retryAfterMs: retryAfterMs, worker: worker, model: model) }
    }

    /// Runs `body` on the gate's loop and returns once it ran (whether or not the caller is
    /// cancelled meanwhile).
    private func onGateLoop(_ body: @escaping @Sendable (GateHost) -> Void) async {
        let host = self.host
        try? await loop.submit { body(host.value) }.get()
    }

    func attach(status source: any GatewayStatusSource) {
        let host = self.host
        loop.execute { host.value.gatewayStatusSource = source }
    }
}
