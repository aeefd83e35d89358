import NIOCore
import NIOHTTP1
import TokenGateWire

/// The gateway's own error responses, in the shape the provider's SDKs read: Anthropic's
/// `{"type": "error", "error": {"type", "message"}}`, OpenAI's
/// `{"error": {"message", "type", "param", "code"}}`.
struct ProviderError {
    var status: HTTPResponseStatus
    /// Anthropic's error type (`rate_limit_error`, `api_error`, ...).
    var anthropicType: String
    /// OpenAI's error code (`rate_limit_exceeded`, ...).
    var openAICode: String
    var message: String
    var retryAfterSeconds: Int64?

    static func badGateway(_ message: String) -> ProviderError {
        ProviderError(status: .badGateway, anthropicType: "api_error", openAICode: "bad_gateway", message: message)
    }

    static func gatewayTimeout(_ message: String) -> ProviderError {
        ProviderError(status: .gatewayTimeout, anthropicType: "timeout_error", openAICode: "timeout", message: message)
    }

    static func badRequest(_ message: String) -> ProviderError {
        ProviderError(status: .badRequest, anthropicType: "invalid_request_error", openAICode: "invalid_request", message: message)
    }

    static func tooLarge(_ message: String) -> ProviderError {
        ProviderError(status: .payloadTooLarge, anthropicType: "request_too_large", openAICode: "request_too_large", message: message)
    }

    static func waitedTooLong(retryAfterMs: Int64, maxWaitSeconds: Double) -> ProviderError {
        ProviderError(
            status: .tooManyRequests, anthropicType: "rate_limit_error", openAICode: "rate_limit_exceeded",
            message: "tokengate: no grant within the gateway's longest wait (\(maxWaitSeconds) s)",
            retryAfterSeconds: max(1, (retryAfterMs + 999) / 1000)
        )
    }

    static func shuttingDown() -> ProviderError {
        ProviderError(
            status: .serviceUnavailable, anthropicType: "overloaded_error", openAICode: "shutting_down",
            message: "tokengate: the daemon is shutting down"
        )
    }

    /// The body in `kind`'s shape.
    func body(for kind: UpstreamKind) -> [UInt8] {
        switch kind {
        case .anthropic:
            let value: JSONValue = [
                "type": "error", "error": ["type": .string(anthropicType), "message": .string(message)],
            ]
            return value.serialized()
        case .openai:
            let type = status == .tooManyRequests ? "requests" : (status.code < 500 ? "invalid_request_error" : "server_error")
            let value: JSONValue = [
                "error": ["message": .string(message), "type": .string(type), "param": nil, "code": .string(openAICode)],
            ]
            return value.serialized()
        }
    }

    /// The response head for a body of `length` bytes.
    func head(bodyLength length: Int, keepAlive: Bool) -> HTTPResponseHead {
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "application/json")
        headers.add(name: "content-length", value: "\(length)")
        if let retryAfterSeconds { headers.add(name: "retry-after", value: "\(retryAfterSeconds)") }
        headers.add(name: "x-tokengate-error", value: "gateway")
        if !keepAlive { headers.add(name: "connection", value: "close") }
        return HTTPResponseHead(version: .http1_1, status: status, headers: headers)
    }
}
