import NIOCore
import TokenGateWire

/// The last handler of a client connection: decodes each line as a reply or an event and hands it
/// to the client's core, which matches it to its request by `id`.
final class ReplyDispatchHandler: ChannelInboundHandler {
    typealias InboundIn = Frame

    /// The longest reply line accepted before the connection is dropped. Replies have no length
    /// limit in the contract (a Status with many workers can be long), so the bound is generous;
    /// it only keeps a broken peer from growing the buffer without end.
    static let maximumLineBytes = 16 * 1024 * 1024

    private let core: ClientCore

    init(core: ClientCore) {
        self.core = core
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .line(let line) = unwrapInboundIn(data) else {
            core.noteFailure("the daemon sent a line longer than \(Self.maximumLineBytes) bytes", on: context.channel)
            context.close(promise: nil)
            return
        }
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
