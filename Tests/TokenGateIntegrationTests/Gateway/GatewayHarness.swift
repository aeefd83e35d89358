import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import TokenGateTestSupport
import TokenGateWire

/// A real daemon with `--gateway 0` in front of an upstream, and an HTTP client playing the
/// agent. Everything started is stopped, whether the body returns or throws.
struct GatewayHarness {
    let daemon: DaemonProcess
    let port: Int
    let client: HTTPClient

    var base: String { "http://127.0.0.1:\(port)" }

    static func with(
        upstream: String, kind: String = "anthropic", arguments: [String] = [], base: [String] = DaemonProcess.baseArguments,
        _ body: (GatewayHarness) async throws -> Void
    ) async throws {
        let argv = ["--gateway", "0", "--upstream", upstream, "--upstream-kind", kind] + arguments
        try await DaemonProcess.with(arguments: argv, base: base) { daemon in
            var port: Int?
            _ = await eventually {
                port = Self.gatewayPort(in: daemon.log)
                return port != nil
            }
            guard let port else { throw TestFailure("no gateway address in the log:\n\(daemon.log)") }
            let client = HTTPClient(eventLoopGroupProvider: .singleton)
            do {
                try await body(GatewayHarness(daemon: daemon, port: port, client: client))
            } catch {
                try? await client.shutdown()
                throw error
            }
            try await client.shutdown()
        }
    }

    /// The port a daemon's log says its gateway listens on.
    static func gatewayPort(in log: String) -> Int? {
        guard let range = log.range(of: "gateway=http://127.0.0.1:") else { return nil }
        return Int(log[range.upperBound...].prefix { $0.isNumber })
    }

    /// The daemon's Status object.
    func status() throws -> Status {
        try LineClient(path: daemon.socketPath).status()
    }

    /// A POST of `body` to `path`, its whole response.
    func post(_ path: String, _ body: String, headers: [(String, String)] = []) async throws -> Response {
        var request = HTTPClientRequest(url: base + path)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await client.execute(request, timeout: .seconds(30))
        var bytes: [UInt8] = []
        for try await chunk in response.body { bytes.append(contentsOf: chunk.readableBytesView) }
        return Response(status: Int(response.status.code), headers: response.headers, body: bytes)
    }

    struct Response {
        var status: Int
        var headers: HTTPHeaders
        var body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
        var json: JSONValue? { try? JSONValue.parse(body) }
    }

    /// The status entry of `worker`.
    func worker(_ name: String) throws -> WorkerStatus? {
        try status().workers.first { $0.worker == name }
    }
}

/// Provider responses as the real APIs shape them.
enum ProviderFixtures {
    static func anthropicJSON(input: Int, output: Int, cacheCreation: Int = 0, cacheRead: Int = 0) -> String {
        """
        {"id":"msg_01","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"text","text":"Hello"}],\
        "stop_reason":"end_turn","usage":{"input_tokens":\(input),"cache_creation_input_tokens":\(cacheCreation),\
        "cache_read_input_tokens":\(cacheRead),"output_tokens":\(output)}}
        """
    }

    static func anthropicEvents(input: Int, output: Int, cacheCreation: Int = 0, cacheRead: Int = 0, deltas: Int = 3) -> [String] {
        var events = [
            "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_01\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"claude-sonnet-4-5\",\"usage\":{\"input_tokens\":\(input),\"cache_creation_input_tokens\":\(cacheCreation),\"cache_read_input_tokens\":\(cacheRead),\"output_tokens\":1}}}\n\n",
            "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n",
            "event: ping\ndata: {\"type\": \"ping\"}\n\n",
        ]
        for index in 0..<deltas {
            events.append(
                "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"word\(index) \"}}\n\n"
            )
        }
        events += [
            "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n",
            "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":\(output)}}\n\n",
            "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n",
        ]
        return events
    }

    static func openAIJSON(prompt: Int, completion: Int, cached: Int = 0) -> String {
        """
        {"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o","choices":[{"index":0,\
        "message":{"role":"assistant","content":"Hello"},"finish_reason":"stop"}],"usage":{"prompt_tokens":\(prompt),\
        "completion_tokens":\(completion),"total_tokens":\(prompt + completion),"prompt_tokens_details":{"cached_tokens":\(cached)}}}
        """
    }

    /// An OpenAI stream; `usageChunk` adds the usage-only chunk include_usage asks for.
    static func openAIEvents(prompt: Int, completion: Int, cached: Int = 0, usageChunk: Bool) -> [String] {
        let nullUsage = usageChunk ? ",\"usage\":null" : ""
        var events = (0..<3).map { index in
            "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"w\(index)\"},\"finish_reason\":null}]\(nullUsage)}\n\n"
        }
        events.append(
            "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]\(nullUsage)}\n\n"
        )
        if usageChunk {
            events.append(
                "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"choices\":[],\"usage\":{\"prompt_tokens\":\(prompt),\"completion_tokens\":\(completion),\"total_tokens\":\(prompt + completion),\"prompt_tokens_details\":{\"cached_tokens\":\(cached)}}}\n\n"
            )
        }
        events.append("data: [DONE]\n\n")
        return events
    }

    static let messagesBody = #"{"model":"claude-sonnet-4-5","max_tokens":64,"messages":[{"role":"user","content":"Hi"}]}"#
    static let streamBody = #"{"model":"claude-sonnet-4-5","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"Hi"}]}"#
}
