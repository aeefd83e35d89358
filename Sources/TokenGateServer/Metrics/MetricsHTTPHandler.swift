import NIOCore
import NIOHTTP1

/// Answers HTTP/1.1 on the metrics port: `GET /metrics` (or `HEAD`) with the exposition, `/` with
/// a pointer to it, 404 for other paths and 405 for other methods.
final class MetricsHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// Produces the exposition body; its future may complete on another event loop.
    typealias Exposition = @Sendable () -> EventLoopFuture<[UInt8]>

    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    private let exposition: Exposition
    private var request: HTTPRequestHead?

    init(exposition: @escaping Exposition) {
        self.exposition = exposition
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            request = head
        case .body:
            break
        case .end:
            guard let head = request else { return }
            request = nil
            respond(to: head, context: context)
        }
    }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
        guard head.method == .GET || head.method == .HEAD else {
            return send(.methodNotAllowed, body: Array("only GET and HEAD\n".utf8), to: head, context: context)
        }
        switch path {
        case "/metrics":
            exposition().hop(to: context.eventLoop).assumeIsolated().whenComplete { result in
                switch result {
                case .success(let body):
                    self.send(.ok, body: body, contentType: Self.contentType, to: head, context: context)
                case .failure:
                    self.send(.serviceUnavailable, body: Array("the daemon is stopping\n".utf8), to: head, context: context)
                }
            }
        case "/":
            send(.ok, body: Array("tokengate: metrics at /metrics\n".utf8), to: head, context: context)
        default:
            send(.notFound, body: Array("not found; metrics are at /metrics\n".utf8), to: head, context: context)
        }
    }

    private func send(
        _ status: HTTPResponseStatus, body: [UInt8], contentType: String = "text/plain; charset=utf-8",
        to head: HTTPRequestHead, context: ChannelHandlerContext
    ) {
        guard context.channel.isActive else { return }
        let keepAlive = head.isKeepAlive
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        headers.add(name: "Content-Length", value: String(body.count))
        headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        let response = HTTPResponseHead(version: head.version, status: status, headers: headers)
        context.write(wrapOutboundOut(.head(response)), promise: nil)
        if head.method != .HEAD {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        }
        let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = context.channel
            written.whenComplete { _ in channel.close(promise: nil) }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}
