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

    func pause(pool: String?) async throws { _ = try await client.pause(pool: pool) }
    func resume(pool: String?) async throws { _ = try await client.resume(pool: pool) }
    func setLimit(_ limit: Int64, pool: String?) async throws { try await client.setLimit(limit, pool: pool) }
    func pause(worker: String) async throws { _ = try await client.pause(worker: worker) }
    func resume(worker: String) async throws { _ = try await client.resume(worker: worker) }
    func setCap(_ cap: Double?, worker: String) async throws { try await client.setCap(cap, worker: worker) }
}
