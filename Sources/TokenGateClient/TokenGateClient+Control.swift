import TokenGateCore
import TokenGateWire

extension TokenGateClient {
    /// The daemon's current Status object.
    public func status() async throws -> Status {
        let reply = try await core.send(.status)
        try reply.throwIfFailed()
        guard let status = reply.status else {
            throw TokenGateClientError.protocolViolation("a status reply without a status")
        }
        return status
    }

    /// Stops new grants for the whole fleet (or only pool `pool`); waiters keep their place.
    ///
    /// - Returns: the gate's state afterwards.
    /// - Throws: ``TokenGateClientError/rejected(code:message:)`` with `forbidden` when this user
    ///   may not control the daemon.
    @discardableResult
    public func pause(pool: String? = nil) async throws -> GateState {
        try await changeState(.pause, pool: pool)
    }

    /// Lets grants flow again after ``pause()``.
    ///
    /// - Returns: the gate's state afterwards (`cooldown` while a provider cooldown lasts).
    @discardableResult
    public func resume(pool: String? = nil) async throws -> GateState {
        try await changeState(.resume, pool: pool)
    }

    /// Contract v2: passes over `worker`'s queued acquires in every pool (they keep their place);
    /// its tickets in flight finish normally. The pause survives a daemon restart.
    ///
    /// - Returns: the pool `default`'s state (unchanged by a worker's pause).
    /// - Throws: ``TokenGateClientError/rejected(code:message:)`` with `forbidden` when this user
    ///   may not control the daemon, `bad_request` for an invalid worker name.
    @discardableResult
    public func pause(worker: String) async throws -> GateState {
        try await changeState(.pauseWorker(worker), pool: nil)
    }

    /// Contract v2: lets `worker`'s queued acquires go again, in their place.
    @discardableResult
    public func resume(worker: String) async throws -> GateState {
        try await changeState(.resumeWorker(worker), pool: nil)
    }

    /// Contract v2: caps `worker` so that its used + reserved stays within `cap` x limit in every
    /// pool and budget; others pass its queued acquires while it waits at its cap. `nil` clears the
    /// cap. The cap survives a daemon restart.
    ///
    /// - Parameter cap: a fraction greater than 0 and at most 1, or `nil`.
    /// - Throws: ``TokenGateClientError/rejected(code:message:)`` with `bad_request` or `forbidden`.
    public func setCap(_ cap: Double?, worker: String) async throws {
        let reply = try await core.send(.setWorkerCap(worker: worker, cap: cap), target: .unspecified)
        try reply.throwIfFailed()
    }

    /// `pause` or `resume`, of one pool or (without one) of every pool.
    private func changeState(_ operation: Request.Operation, pool: String?) async throws -> GateState {
        let reply = try await core.send(operation, target: PoolTarget(pool: pool))
        try reply.throwIfFailed()
        guard let state = reply.state else {
            throw TokenGateClientError.protocolViolation("a \(operation.name.rawValue) reply without a state")
        }
        return state
    }

    /// Changes the `tokens` budget's limit per window and/or the threshold of pool `pool` (default:
    /// the pool `default`); waiters are re-evaluated at once.
    ///
    /// - Parameters:
    ///   - limit: tokens per window, 1 to 2^53-1.
    ///   - threshold: the fraction of the limit grants may fill, in (0, 1].
    /// - Throws: ``TokenGateClientError/invalidArgument(_:)`` when both are `nil`;
    ///   ``TokenGateClientError/rejected(code:message:)`` with `bad_request` or `forbidden`.
    public func setLimit(_ limit: Int64?, threshold: Double? = nil, pool: String? = nil) async throws {
        guard limit != nil || threshold != nil else {
            throw TokenGateClientError.invalidArgument("set_limit needs a limit or a threshold")
        }
        let reply = try await core.send(
            .setLimit(Request.SetLimit(limit: limit, threshold: threshold)), target: PoolTarget(pool: pool))
        try reply.throwIfFailed()
    }
}
