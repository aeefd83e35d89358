import NIOCore
import TokenGateWire

/// The last handler of a client connection: decodes each line as a reply or an event and hands it
/// to the client's core, which matches it to its request by `id`.
final class ReplyDispatchHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let core: ClientCore

    init(core: ClientCore) {
        self.core = core
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let line = unwrapInboundIn(data)
        switch Reply.decode(line: line.readableBytesView) {
        case .success(let reply):
            core.handle(reply, on: context.channel)
        case .failure(let error):
            core.noteFailure("the daemon sent a line that is not a reply: \(error)", on: context.channel)
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        core.noteFailure(ConnectionFailure.describe(error), on: context.channel)
        context.close(promise: nil)
    }
}
