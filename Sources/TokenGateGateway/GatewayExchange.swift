import AsyncHTTPClient
import Logging
import NIOCore
import NIOHTTP1
import TokenGateCore
import TokenGateServer
import TokenGateWire

/// What one request needs: the gate, the upstream client, the calibration and the counters.
struct GatewayExchange: Sendable {
    let configuration: GatewayConfiguration
    let gate: any GatewayGate
    let client: HTTPClient
    let calibration: InputCalibration
    let counters: GatewayCounters
    let logger: Logger

    typealias Outbound = NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>

    /// One request from an agent, its body read whole (`tooLarge`: it was over the limit and
    /// dropped). Throws when the connection must close (the agent left, or a response was cut).
    func serve(head: HTTPRequestHead, body: ByteBuffer, tooLarge: Bool, keepAlive: Bool, outbound: Outbound) async throws {
        counters.started()
        defer { counters.finished() }
        guard let route = GatewayRoute(method: head.method, uri: head.uri, kind: configuration.kind) else {
            return try await fail(.badRequest("tokengate: the path names no valid worker (/w/NAME: 1-64 of A-Za-z0-9._:-)"), keepAlive, outbound)
        }
        if tooLarge {
            return try await fail(
                .tooLarge("tokengate: the request body is larger than \(configuration.maxRequestBodyBytes) bytes"), keepAlive, outbound
            )
        }
        if route.isGated {
            try await gated(head: head, route: route, body: body, keepAlive: keepAlive, outbound: outbound)
        } else {
            try await passThrough(head: head, route: route, body: body, keepAlive: keepAlive, outbound: outbound)
        }
    }

    // MARK: Ungated

    private func passThrough(head: HTTPRequestHead, route: GatewayRoute, body: ByteBuffer, keepAlive: Bool, outbound: Outbound) async throws {
        let request = upstreamRequest(head: head, route: route, body: body, identityEncoding: false)
        let response: HTTPClientResponse
        do {
            response = try await execute(request)
        } catch {
            try Task.checkCancellation()
            let failure = UpstreamFailure(error)
            logger.warning("gateway: upstream failed", metadata: ["path": "\(route.path)", "reason": "\(failure.reason)"])
            return try await fail(failure.providerError, keepAlive, outbound)
        }
        var reader: ResponseUsageReader?
        try await relay(response, reader: &reader, keepAlive: keepAlive, outbound: outbound)
        try await outbound.write(.end(nil))
    }

    // MARK: Gated

    private func gated(head: HTTPRequestHead, route: GatewayRoute, body: ByteBuffer, keepAlive: Bool, outbound: Outbound) async throws {
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
        }
        try await forwardGranted(
            ticket: ticket, charge: charge, parsed: parsed, head: head, route: route, body: body, keepAlive: keepAlive, outbound: outbound
        )
    }

    /// Sends a granted request upstream and its response back; settles the ticket exactly once.
    private func forwardGranted(
        ticket: String, charge: GatedCharge, parsed: RequestBody, head: HTTPRequestHead, route: GatewayRoute, body: ByteBuffer,
        keepAlive: Bool, outbound: Outbound
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
            try await relay(response, reader: &none, keepAlive: keepAlive, outbound: outbound)
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
                try await relay(response, reader: &none, keepAlive: keepAlive, outbound: outbound)
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
            try await relay(response, reader: &reader, keepAlive: keepAlive, outbound: outbound) { seen in
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

    // MARK: Upstream

    private func upstreamRequest(head: HTTPRequestHead, route: GatewayRoute, body: ByteBuffer, identityEncoding: Bool) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: configuration.upstream + route.forwardTarget)
        request.method = head.method
        request.headers = HeaderPolicy.upstreamRequestHeaders(head.headers, identityEncoding: identityEncoding)
        if body.readableBytes > 0 || head.method == .POST || head.method == .PUT || head.method == .PATCH {
            request.body = .bytes(body)
        }
        return request
    }

    private func execute(_ request: HTTPClientRequest) async throws -> HTTPClientResponse {
        let timeout = TimeAmount.milliseconds(Int64((configuration.upstreamTimeoutSeconds * 1000).rounded(.up)))
        return try await client.execute(request, deadline: .now() + timeout, logger: Self.quietLogger)
    }

    /// Sends the response head and body as they arrive; `reader` reads usage (and may filter).
    /// `beforeLastByte` runs once, before the response's last byte goes out (the last chunk of a
    /// response with a content-length, else the end of a chunked one), so that an agent that has
    /// its response can count on what it settled.
    private func relay(
        _ response: HTTPClientResponse, reader: inout ResponseUsageReader?, keepAlive: Bool, outbound: Outbound,
        beforeLastByte: ((SeenUsage?) async -> Void)? = nil
    ) async throws {
        let filters = reader?.removesUsageChunk ?? false
        var headers = HeaderPolicy.clientResponseHeaders(response.headers, keepsLength: !filters)
        if !keepAlive { headers.replaceOrAdd(name: "connection", value: "close") }
        let length = filters ? nil : response.headers.first(name: "content-length").flatMap { Int($0) }
        try await clientWrite(outbound, .head(HTTPResponseHead(version: .http1_1, status: response.status, headers: headers)))
        var received = 0
        var pendingLast = beforeLastByte
        for try await chunk in response.body {
            received += chunk.readableBytes
            var forward = reader == nil ? chunk : reader?.pass(chunk)
            if let length, received >= length, let last = pendingLast {
                // This chunk completes the body: read it whole and settle before it goes out.
                if let rest = reader?.finish() {
                    forward = forward.map { var joined = $0; var tail = rest; joined.writeBuffer(&tail); return joined } ?? rest
                }
                pendingLast = nil
                await last(reader?.seen)
            }
            if let forward, forward.readableBytes > 0 { try await clientWrite(outbound, .body(.byteBuffer(forward))) }
        }
        if pendingLast != nil || length == nil || received < (length ?? 0) {
            if let rest = reader?.finish() { try await clientWrite(outbound, .body(.byteBuffer(rest))) }
        }
        if let last = pendingLast { await last(reader?.seen) }
    }

    private func clientWrite(_ outbound: Outbound, _ part: HTTPServerResponsePart) async throws {
        do {
            try await outbound.write(part)
        } catch {
            throw ClientWriteFailure()
        }
    }

    // MARK: Errors

    private func fail(_ error: ProviderError, _ keepAlive: Bool, _ outbound: Outbound) async throws {
        if error.status != .tooManyRequests && error.status != .serviceUnavailable { counters.failed() }
        let body = error.body(for: configuration.kind)
        try await outbound.write(.head(error.head(bodyLength: body.count, keepAlive: keepAlive)))
        try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: body))))
        try await outbound.write(.end(nil))
    }

    // MARK: Helpers

    static let maximumCount: Int64 = 9_007_199_254_740_991

    /// AsyncHTTPClient's own logging stays off: its request logs could carry headers.
    static let quietLogger = Logger(label: "tokengate.gateway.upstream", factory: { _ in SwiftLogNoOpLogHandler() })

    /// A 429's cooldown: `retry-after`, else the longest of OpenAI's reset durations, else 1 s.
    static func retryAfterMs(_ observed: [String: String]) -> Int64 {
        let headers = ProviderHeaders(headers: observed, nowEpochMs: 0)
        if let retryAfter = headers.retryAfterMs { return max(0, retryAfter) }
        if observed.keys.contains(where: { $0.hasPrefix("x-ratelimit-reset-") }),
            let longest = headers.readings.compactMap(\.resetEpochMs).max(), longest > 0
        {
            return longest
        }
        return 1000
    }

    private static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}

/// The agent's connection took no more bytes: it left.
struct ClientWriteFailure: Error {}

/// What a granted request is charged when its usage is not known.
struct GatedCharge {
    var bodyBytes: Int
    var model: String?
    var worker: String
    /// The estimate as usage: the input estimate and the whole output allowance.
    var estimatedUsage: Usage
}
