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
    /// dropped), on `channel`'s event loop (the agent's connection, which `outbound` writes to).
    /// Throws when the connection must close (the agent left, or a response was cut).
    func serve(
        head: HTTPRequestHead, body: ByteBuffer, tooLarge: Bool, keepAlive: Bool, channel: any Channel, outbound: Outbound
    ) async throws {
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
            try await gated(head: head, route: route, body: body, keepAlive: keepAlive, channel: channel, outbound: outbound)
        } else {
            try await passThrough(head: head, route: route, body: body, keepAlive: keepAlive, channel: channel, outbound: outbound)
        }
    }

    // MARK: Ungated

    private func passThrough(
        head: HTTPRequestHead, route: GatewayRoute, body: ByteBuffer, keepAlive: Bool, channel: any Channel, outbound: Outbound
    ) async throws {
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
        try await relay(response, reader: &reader, keepAlive: keepAlive, channel: channel)
        try await outbound.write(.end(nil))
    }

    // MARK: Upstream

    func upstreamRequest(head: HTTPRequestHead, route: GatewayRoute, body: ByteBuffer, identityEncoding: Bool) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: configuration.upstream + route.forwardTarget)
        request.method = head.method
        request.headers = HeaderPolicy.upstreamRequestHeaders(head.headers, identityEncoding: identityEncoding)
        if body.readableBytes > 0 || head.method == .POST || head.method == .PUT || head.method == .PATCH {
            request.body = .bytes(body)
        }
        return request
    }

    func execute(_ request: HTTPClientRequest) async throws -> HTTPClientResponse {
        let timeout = TimeAmount.milliseconds(Int64((configuration.upstreamTimeoutSeconds * 1000).rounded(.up)))
        return try await client.execute(request, deadline: .now() + timeout, logger: Self.quietLogger)
    }

    /// Sends the response head and body into the agent's `channel` as they arrive (the caller
    /// then writes the end, which flushes); `reader` reads usage (and may filter).
    /// `beforeLastByte` runs once, before the response's last byte goes out (the last chunk of a
    /// response with a content-length, else the end of a chunked one), so that an agent that has
    /// its response can count on what it settled.
    func relay(
        _ response: HTTPClientResponse, reader: inout ResponseUsageReader?, keepAlive: Bool, channel: any Channel,
        beforeLastByte: ((SeenUsage?) async -> Void)? = nil
    ) async throws {
        let writer = AgentResponseWriter(channel: channel)
        let filters = reader?.removesUsageChunk ?? false
        var headers = HeaderPolicy.clientResponseHeaders(response.headers, keepsLength: !filters)
        if !keepAlive { headers.replaceOrAdd(name: "connection", value: "close") }
        let length = filters ? nil : response.headers.first(name: "content-length").flatMap { Int($0) }
        try await writer.write(.head(HTTPResponseHead(version: .http1_1, status: response.status, headers: headers)))
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
            if let forward, forward.readableBytes > 0 { try await writer.write(.body(.byteBuffer(forward))) }
        }
        if pendingLast != nil || length == nil || received < (length ?? 0) {
            if let rest = reader?.finish() { try await writer.write(.body(.byteBuffer(rest))) }
        }
        if let last = pendingLast { await last(reader?.seen) }
    }

    // MARK: Errors

    func fail(_ error: ProviderError, _ keepAlive: Bool, _ outbound: Outbound) async throws {
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

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}

/// The agent's connection took no more bytes: it left.
struct ClientWriteFailure: Error {}
