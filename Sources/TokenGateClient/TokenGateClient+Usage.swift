import TokenGateCore
import TokenGateWire

extension TokenGateClient {
    /// Reports what a granted request really cost; the daemon replaces the grant's reservation by
    /// this usage.
    ///
    /// Reports are never sent twice: if the connection drops before the reply, this throws
    /// ``TokenGateClientError/connectionLost(operation:reason:)`` and the usage may or may not have
    /// been recorded.
    ///
    /// - Parameters:
    ///   - grant: the grant this settles.
    ///   - input: input tokens consumed (without cache reads and writes).
    ///   - output: output tokens produced.
    ///   - cacheCreation: tokens written to the prompt cache (counted as input by the `tokens` budget).
    ///   - cacheRead: tokens read from the prompt cache.
    ///   - model: the model the request went to, for accounting.
    ///   - worker: the worker name for this request only.
    /// - Returns: whether the daemon knew the ticket (the usage is recorded either way).
    @discardableResult
    public func report(
        _ grant: Grant, input: Int64, output: Int64, cacheCreation: Int64? = nil, cacheRead: Int64? = nil,
        model: String? = nil, worker: String? = nil, pool: String? = nil
    ) async throws -> ReportResult {
        try await report(
            ticket: grant.ticket, input: input, output: output, cacheCreation: cacheCreation, cacheRead: cacheRead,
            model: model, worker: worker, pool: pool)
    }

    /// Reports usage by ticket, or without one (`ticket: nil`: a request made without a grant).
    /// See ``report(_:input:output:cacheCreation:cacheRead:model:worker:)``.
    @discardableResult
    public func report(
        ticket: String?, input: Int64, output: Int64, cacheCreation: Int64? = nil, cacheRead: Int64? = nil,
        model: String? = nil, worker: String? = nil, pool: String? = nil
    ) async throws -> ReportResult {
        let fields = Request.Report(
            ticket: ticket, input: input, output: output, cacheCreation: cacheCreation, cacheRead: cacheRead,
            worker: worker, model: model)
        let reply = try await core.send(.report(fields), target: PoolTarget(pool: pool))
        try reply.throwIfFailed()
        return ReportResult(warning: reply.warning)
    }

    /// Drops a grant's reservation without recording usage (the request was not sent).
    ///
    /// - Throws: ``TokenGateClientError/rejected(code:message:)`` with `unknown_ticket` when the
    ///   daemon no longer knows the ticket.
    public func release(_ grant: Grant) async throws {
        try await release(ticket: grant.ticket)
    }

    /// Drops the reservation of `ticket` without recording usage. See ``release(_:)``.
    public func release(ticket: String) async throws {
        let reply = try await core.send(.release(ticket: ticket))
        try reply.throwIfFailed()
    }

    /// Tells the daemon the provider answered 429: no grants for `retryAfterMs` milliseconds.
    ///
    /// - Parameters:
    ///   - retryAfterMs: how long the provider asked to wait (its `retry-after`, in milliseconds).
    ///   - budget: the budget the 429 was about, when known.
    /// - Returns: when the cooldown ends (`cooldown_until_ms`, milliseconds on the daemon's clock).
    @discardableResult
    public func throttled(
        retryAfterMs: Int64, budget: BudgetKind? = nil, model: String? = nil, pool: String? = nil
    ) async throws -> Int64 {
        let reply = try await core.send(
            .throttled(Request.Throttled(retryAfterMs: retryAfterMs, budget: budget)),
            target: PoolTarget(model: model, pool: pool))
        try reply.throwIfFailed()
        return reply.cooldownUntilMs ?? 0
    }

    /// Hands the daemon a provider response's headers; it reads `anthropic-ratelimit-*` and
    /// `retry-after` and ignores the rest.
    public func observe(headers: [String: String], model: String? = nil, pool: String? = nil) async throws {
        let reply = try await core.send(.observe(headers: headers), target: PoolTarget(model: model, pool: pool))
        try reply.throwIfFailed()
    }
}
