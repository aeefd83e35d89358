import TokenGateCore
import TokenGateWire

extension TokenGateClient {
    /// Waits for the daemon's permission to send one request, reserving its estimate.
    ///
    /// Settle the grant with ``report(_:input:output:cacheCreation:cacheRead:model:worker:)`` once the
    /// request is done, or ``release(_:)`` when it was not sent. If the connection drops while this
    /// waits, the acquire is re-issued after the reconnect with what is left of `timeout`.
    ///
    /// Cancelling the calling task makes this throw `CancellationError` at once. The daemon still
    /// holds the acquire's place in its queue (the protocol has no withdrawal short of closing the
    /// connection); if the grant comes later, the client releases it without delivering it.
    ///
    /// - Parameters:
    ///   - tokens: the estimate of the request's total tokens (input + output + cache writes);
    ///     without one, the daemon uses the recent mean cost.
    ///   - input: the estimate of input tokens (for an `input` budget).
    ///   - output: the estimate of output tokens (for an `output` budget).
    ///   - timeout: give up after this long (rounded up to whole milliseconds); without one, wait
    ///     until granted.
    ///   - worker: the worker name for this request only.
    ///   - model: the model the request goes to: picks its pool (contract v2).
    ///   - pool: the pool by name; wins over `model`.
    ///   - priority: `high`, `normal` (the daemon's default) or `low` (contract v2).
    /// - Throws: ``TokenGateClientError/timedOut(message:)`` when the timeout passes;
    ///   ``TokenGateClientError/rejected(code:message:)`` for an invalid field (`bad_request`) or a
    ///   stopping daemon when not reconnecting; ``TokenGateClientError/unreachable(socketPath:reason:)``;
    ///   `CancellationError`.
    public func acquire(
        tokens: Int64? = nil, input: Int64? = nil, output: Int64? = nil, timeout: Duration? = nil,
        worker: String? = nil, model: String? = nil, pool: String? = nil, priority: Priority? = nil
    ) async throws -> Grant {
        let fields = Request.Acquire(
            tokens: tokens, input: input, output: output, timeoutMs: timeout?.wholeMillisecondsRoundedUp,
            worker: worker, priority: priority)
        let reply = try await core.acquire(fields, target: PoolTarget(model: model, pool: pool))
        try reply.throwIfFailed()
        guard let ticket = reply.ticket else {
            throw TokenGateClientError.protocolViolation("a grant without a ticket")
        }
        return Grant(ticket: ticket, waitedMs: reply.waitedMs ?? 0)
    }

    /// ``acquire(tokens:input:output:timeout:worker:)`` with the timeout in milliseconds, as on the
    /// wire (`timeout_ms`).
    public func acquire(
        tokens: Int64? = nil, input: Int64? = nil, output: Int64? = nil, timeoutMs: Int64?, worker: String? = nil,
        model: String? = nil, pool: String? = nil, priority: Priority? = nil
    ) async throws -> Grant {
        try await acquire(
            tokens: tokens, input: input, output: output, timeout: timeoutMs.map { .milliseconds($0) },
            worker: worker, model: model, pool: pool, priority: priority)
    }
}

extension Reply {
    /// Throws the client error of a failure reply.
    func throwIfFailed() throws(TokenGateClientError) {
        if let failure { throw TokenGateClientError(failure: failure) }
    }
}
