import TokenGateClient
import TokenGateDashboard
import TokenGateWire

/// The dashboard's link to a daemon over its socket: a subscription that reconnects by itself,
/// and the operator's controls.
struct ClientDashboardLink: DashboardLink {
    let client: TokenGateClient
    let intervalMs: Int64

    func events() -> AsyncStream<DashboardLinkEvent> {
        let subscription = client.subscribe(intervalMs: intervalMs, history: true)
        return AsyncStream { continuation in
            let task = Task {
                do {
                    for try await event in subscription {
                        switch event {
                        case .connected: continuation.yield(.connected)
                        case .snapshot(let status): continuation.yield(.snapshot(status))
                        case .disconnected(let reason): continuation.yield(.disconnected(reason: reason))
                        }
                    }
                } catch {
                    continuation.yield(.disconnected(reason: "\(error)"))
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    func pause() async throws { _ = try await client.pause() }
    func resume() async throws { _ = try await client.resume() }
    func setLimit(_ limit: Int64) async throws { try await client.setLimit(limit) }
}
