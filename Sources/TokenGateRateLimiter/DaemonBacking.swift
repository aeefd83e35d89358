import DequeModule
import NIOConcurrencyHelpers
import TokenGateClient
import TokenGateWire

/// The shared backing: every call goes through the daemon, so all processes on the machine share
/// one window. The client reconnects by itself and re-issues a pending acquire after a restart.
final class DaemonBacking: RateLimiterBacking {
    private let client: TokenGateClient
    private let limit: NIOLockedValueBox<UInt64>
    private let outstanding = NIOLockedValueBox(Deque<Grant>())

    init(client: TokenGateClient, status: Status) {
        self.client = client
        self.limit = NIOLockedValueBox(Self.perMinute(status))
    }

    var tokensPerMinute: UInt64 { limit.withLockedValue { $0 } }

    func acquire(estimate: UInt64?) async {
        var attempt = 0
        while !Task.isCancelled {
            do {
                let grant = try await client.acquire(tokens: estimate.map { Int64(min($0, UInt64(WireLimits.maxCount))) })
                outstanding.withLockedValue { $0.append(grant) }
                return
            } catch {
                // The seed's acquire_slot never fails: wait for the daemon and ask again.
                attempt += 1
                try? await Task.sleep(for: .milliseconds(min(2000, 50 << min(attempt, 6))))
            }
        }
    }

    func record(tokens: UInt64) async {
        let grant = outstanding.withLockedValue { $0.popFirst() }
        let input = Int64(min(tokens, UInt64(WireLimits.maxCount)))
        _ = try? await client.report(ticket: grant?.ticket, input: input, output: 0)
    }

    func currentUsage() async -> UInt64 {
        guard let status = try? await client.status() else { return 0 }
        limit.withLockedValue { $0 = Self.perMinute(status) }
        return UInt64(max(0, status.used))
    }

    /// The daemon's tokens limit expressed per minute.
    private static func perMinute(_ status: Status) -> UInt64 {
        guard status.windowMs > 0 else { return UInt64(max(0, status.limit)) }
        return UInt64((Double(status.limit) * 60_000 / Double(status.windowMs)).rounded())
    }
}

extension RateLimiter {
    /// A limiter shared through the daemon on `socket` (the contract's default path when nil): all
    /// processes on the machine share one window. Connects, and reads the daemon's limit.
    public convenience init(socket: String? = nil, worker: String? = nil) async throws {
        let client = TokenGateClient(socketPath: socket, worker: worker)
        try await client.connect()
        let status = try await client.status()
        self.init(backing: DaemonBacking(client: client, status: status))
    }
}
