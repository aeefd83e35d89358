import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import TokenGateCore
import TokenGateServer
import TokenGateWire

/// The gated endpoint: read the body, name the worker, estimate, acquire, forward, stream back,
/// and settle the ticket exactly once (reported, charged at its estimate, or released).
extension GatewayExchange {
    func gated(
        head: HTTPRequestHead, route: GatewayRoute, body: ByteBuffer, keepAlive: Bool, channel: any Channel, outbound: Outbound
    ) async throws {
        let parsed: RequestBody
        do {
            parsed = try RequestBody(bytes: Array(body.readableBytesView), kind: configuration.kind)
        } catch {
            return try await fail(.badRequest("tokengate: \(error.message)"), keepAlive, outbound)
        }
        let worker: String
        if let named = route.pathWorker {
            worker = named
        } else if let header = head.headers.first(name: "x-tokengate-worker") {
            guard WorkerName.isValid(header) else {
                return try await fail(.badRequest("tokengate: x-tokengate-worker must be 1-64 of A-Za-z0-9._:-"), keepAlive, outbound)
            }
            worker = header
        } else {
            worker = "gateway"
        }
        let priority = head.headers.first(name: "x-tokengate-priority")?.lowercased()
        if let priority, !["high", "normal", "low"].contains(priority) {
            return try await fail(.badRequest("tokengate: x-tokengate-priority must be high, normal or low"), keepAlive, outbound)
        }
        let input = min(calibration.estimate(bodyBytes: body.readableBytes, model: parsed.model), Self.maximumCount / 2)
        let output = min(parsed.maxTokens, Self.maximumCount / 2)
        let estimate: Estimate
        let charge: GatedCharge
        do {
            estimate = try Estimate(tokens: input + output, input: input, output: output)
            charge = GatedCharge(
                bodyBytes: body.readableBytes, model: parsed.model, worker: worker,
                estimatedUsage: try Usage(input: input, output: output)
            )
        } catch {
            return try await fail(.badRequest("tokengate: \(error)"), keepAlive, outbound)
        }
        let outcome = await gate.acquire(GatewayAcquire(
            worker: worker, estimate: estimate, model: parsed.model, priority: priority,
            maxWait: .milliseconds(Int64((configuration.maxWaitSeconds * 1000).rounded(.up)))
        ))
        let ticket: String
        switch outcome {
        case .granted(let granted, _):
            ticket = granted
        case .timedOut(let retryAfterMs):
            counters.failed()
            logger.info("gateway: no grant within the longest wait", metadata: ["worker": "\(worker)"])
            return try await fail(.waitedTooLong(retryAfterMs: retryAfterMs, maxWaitSeconds: configuration.maxWaitSeconds), keepAlive, outbound)
        case .cancelled:
            throw CancellationError()
        case .shuttingDown:
            return try await fail(.shuttingDown(), keepAlive, outbound)
        case .refused(let reason):
            logger.warning("gateway: the acquire was refused", metadata: ["worker": "\(worker)", "reason": "\(reason)"])
            return try await fail(.badGateway("tokengate: \(reason)"), keepAlive, outbound)
        }
        try await forwardGranted(
            ticket: ticket, charge: charge, parsed: parsed, head: head, route: route, body: body, keepAlive: keepAlive,
            channel: channel, outbound: outbound
        )
    }

    /// Sends a granted request upstream and its response back; settles the ticket exactly once.
    private func forwardGranted(
        ticket: String, charge: GatedCharge, parsed: RequestBody, head: HTTPRequestHead, route: GatewayRoute, body: ByteBuffer,
        keepAlive: Bool, channel: any Channel, outbound: Outbound
    ) async throws {
        var forwardBody = body
        if parsed.addedUsageChunk { forwardBody = ByteBuffer(bytes: parsed.forwardBytes) }
        let request = upstreamRequest(head: head, route: route, body: forwardBody, identityEncoding: true)
        let sentAt = ContinuousClock.now
        let response: HTTPClientResponse
        do {
            response = try await execute(request)
        } catch {
            let failure = UpstreamFailure(error)
            if failure.neverReachedUpstream {
                await gate.release(ticket: ticket)
            } else {
                await gate.report(ticket: ticket, usage: charge.estimatedUsage, worker: charge.worker, model: charge.model)
            }
            try Task.checkCancellation()
            logger.warning(
                "gateway: upstream failed",
                metadata: ["worker": "\(charge.worker)", "reason": "\(failure.reason)", "charged": "\(!failure.neverReachedUpstream)"]
            )
            return try await fail(failure.providerError, keepAlive, outbound)
        }
        counters.upstreamResponded(after: Self.seconds(since: sentAt))
        var observed = HeaderPolicy.observable(response.headers)
        if response.status == .tooManyRequests {
            let retryAfterMs = Self.retryAfterMs(observed)
            observed["retry-after"] = nil
            if !observed.isEmpty { await gate.observe(headers: observed, worker: charge.worker, model: charge.model) }
            await gate.throttled(retryAfterMs: retryAfterMs, worker: charge.worker, model: charge.model)
            // A refused request costs nothing at the provider.
            await gate.release(ticket: ticket)
            logger.info("gateway: upstream 429", metadata: ["worker": "\(charge.worker)", "retry_after_ms": "\(retryAfterMs)"])
            var none: ResponseUsageReader?
            try await relay(response, reader: &none, keepAlive: keepAlive, channel: channel)
            return try await outbound.write(.end(nil))
        }
        if !observed.isEmpty { await gate.observe(headers: observed, worker: charge.worker, model: charge.model) }
        guard response.status.code < 300 else {
            // 4xx: refused, not charged; 5xx: it reached the provider and may have been charged.
            if response.status.code >= 500 {
                await gate.report(ticket: ticket, usage: charge.estimatedUsage, worker: charge.worker, model: charge.model)
            } else {
                await gate.release(ticket: ticket)
            }
            var none: ResponseUsageReader?
            do {
                try await relay(response, reader: &none, keepAlive: keepAlive, channel: channel)
            } catch {
                counters.failed()
                throw error
            }
            return try await outbound.write(.end(nil))
        }
        var reader: ResponseUsageReader? = ResponseUsageReader(
            kind: configuration.kind, contentType: response.headers.first(name: "content-type"),
            removesUsageChunk: parsed.addedUsageChunk
        )
        var settled = false
        do {
            try await relay(response, reader: &reader, keepAlive: keepAlive, channel: channel) { seen in
                settled = true
                await settle(ticket: ticket, charge: charge, seen: seen)
            }
        } catch {
            // Cut short (the agent left, or the upstream broke): what was seen, else the estimate.
            if !settled { await settle(ticket: ticket, charge: charge, seen: reader?.seen) }
            if !Task.isCancelled, !(error is ClientWriteFailure) {
                counters.failed()
                logger.warning("gateway: upstream stream broke", metadata: ["worker": "\(charge.worker)"])
            }
            throw error
        }
        try await outbound.write(.end(nil))
    }

    private func settle(ticket: String, charge: GatedCharge, seen: SeenUsage?) async {
        let usage = seen?.usage ?? charge.estimatedUsage
        await gate.report(ticket: ticket, usage: usage, worker: charge.worker, model: charge.model)
        if let total = seen?.totalInput {
            calibration.learn(bodyBytes: charge.bodyBytes, inputTokens: total, model: charge.model)
        }
    }
}

/// What a granted request is charged when its usage is not known.
struct GatedCharge {
    var bodyBytes: Int
    var model: String?
    var worker: String
    /// The estimate as usage: the input estimate and the whole output allowance.
    var estimatedUsage: Usage
}
