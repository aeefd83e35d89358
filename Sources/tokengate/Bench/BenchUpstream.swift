import NIOCore
import NIOHTTP1
import NIOPosix

/// The provider `bench gateway` measures against, in this process on 127.0.0.1: every POST gets
/// the same Anthropic stream (`events` events, sent at once, or one every `eventInterval` as a
/// model streams its tokens), or, with `x-bench-hold-ms: N`, its first event, then the rest N ms
/// later (streams held open, for memory per stream).
final class BenchUpstream: Sendable {
    private let group: MultiThreadedEventLoopGroup
    private let channel: Channel
    let port: Int

    /// The stream every request gets.
    static func stream(events: Int) -> [String] {
        var result = [
            "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_bench\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"bench\",\"usage\":{\"input_tokens\":120,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0,\"output_tokens\":1}}}\n\n"
        ]
        for index in 0..<max(0, events - 2) {
            result.append(
                "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"token \(index) \"}}\n\n"
            )
        }
        result.append(
            "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":\(events)}}\n\nevent: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"
        )
        return result
    }

    init(events: Int, eventInterval: TimeAmount = .zero, threads: Int) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        let stream = Self.stream(events: events)
        do {
            channel = try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 1024)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                        try channel.pipeline.syncOperations.addHandler(StreamHandler(stream: stream, eventInterval: eventInterval))
                    }
                }
                .bind(host: "127.0.0.1", port: 0).get()
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
        self.group = group
        port = channel.localAddress?.port ?? 0
    }

    func stop() async {
        try? await channel.close()
        try? await group.shutdownGracefully()
    }
}

private final class StreamHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let stream: [String]
    let eventInterval: TimeAmount
    var holdMilliseconds: Int64 = 0

    init(stream: [String], eventInterval: TimeAmount) {
        self.stream = stream
        self.eventInterval = eventInterval
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            holdMilliseconds = head.headers.first(name: "x-bench-hold-ms").flatMap { Int64($0) } ?? 0
        case .body:
            break
        case .end:
            var headers = HTTPHeaders()
            headers.add(name: "content-type", value: "text/event-stream")
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
            if holdMilliseconds == 0, eventInterval > .zero {
                return sendPaced(context: context, from: 0)
            }
            guard holdMilliseconds > 0 else {
                context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: stream.joined())))), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
                return
            }
            context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: stream[0])))), promise: nil)
            let rest = stream.dropFirst().joined()
            context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(holdMilliseconds)) {
                context.write(self.wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: rest)))), promise: nil)
                context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: nil)
            }
        }
    }

    /// Sends event `index` now and schedules the next one an interval later; the end after the last.
    private func sendPaced(context: ChannelHandlerContext, from index: Int) {
        context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: stream[index])))), promise: nil)
        guard index + 1 < stream.count else {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            return
        }
        context.eventLoop.assumeIsolated().scheduleTask(in: eventInterval) {
            self.sendPaced(context: context, from: index + 1)
        }
    }
}
