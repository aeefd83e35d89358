import NIOConcurrencyHelpers
import NIOCore
import TokenGateCore
import TokenGateWire

/// The server's `GatewayGate`: a call runs on the gate host's event loop (in place when made
/// there, else with a hop onto the loop and back).
struct GateHostGatewayAccess: GatewayGate {
    let host: NIOLoopBound<GateHost>
    /// Owners for gateway requests, numbered apart from the socket's sessions.
    private let nextOwner = NIOLockedValueBox<UInt64>(1 << 62)

    init(host: NIOLoopBound<GateHost>) {
        self.host = host
    }

    private var eventLoop: any EventLoop { host.eventLoop }

    func acquire(_ request: GatewayAcquire) async -> GatewayAcquireOutcome {
        let owner = OwnerID(rawValue: nextOwner.withLockedValue { value in
            defer { value += 1 }
            return value
        })
        let host = self.host
        let started: GatewayAcquireStart
        if eventLoop.inEventLoop {
            started = host.value.gatewayAcquire(request, owner: owner)
        } else {
            started = (try? await eventLoop.submit { host.value.gatewayAcquire(request, owner: owner) }.get()) ?? .decided(.shuttingDown)
        }
        switch started {
        case .decided(let outcome):
            return outcome
        case .queued(let outcome):
            return await withTaskCancellationHandler {
                (try? await outcome.get()) ?? .shuttingDown
            } onCancel: {
                host.eventLoop.execute { host.value.gatewayCancel(owner: owner) }
            }
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

    /// Runs `body` on the gate's loop (in place when already there) and returns once it ran
    /// (whether or not the caller is cancelled meanwhile).
    private func onGateLoop(_ body: @escaping @Sendable (GateHost) -> Void) async {
        let host = self.host
        if host.eventLoop.inEventLoop { return body(host.value) }
        try? await host.eventLoop.submit { body(host.value) }.get()
    }

    func attach(status source: any GatewayStatusSource) {
        let host = self.host
        host.eventLoop.execute { host.value.gatewayStatusSource = source }
    }
}
