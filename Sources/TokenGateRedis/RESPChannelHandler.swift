import DequeModule
import NIOCore

/// A command on its way and the promise of its reply.
struct PendingCommand {
    var command: RESPCommand
    var promise: EventLoopPromise<RESPValue>
}

/// Encodes commands and matches replies to them in order, so that any number may be in flight on
/// one connection (pipelining). Out-of-band RESP3 pushes are dropped. A framing error fails every
/// pending command and closes the connection, as does the connection closing.
final class RESPChannelHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = PendingCommand
    typealias OutboundOut = ByteBuffer

    private var decoder: RESPDecoder
    private var pending = Deque<EventLoopPromise<RESPValue>>()
    private var scratch: [UInt8] = []

    init(limits: RESPLimits) {
        decoder = RESPDecoder(limits: limits)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let command = unwrapOutboundIn(data)
        scratch.removeAll(keepingCapacity: true)
        command.command.encode(into: &scratch)
        pending.append(command.promise)
        context.write(wrapOutboundOut(context.channel.allocator.buffer(bytes: scratch)), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data)
        decoder.append(bytes.readableBytesView)
        do {
            while let reply = try decoder.next() {
                if case .push = reply { continue }
                guard let promise = pending.popFirst() else {
                    fail(.unexpectedReply("a reply to no command"), context: context)
                    return
                }
                promise.succeed(reply)
            }
        } catch {
            fail(.protocolViolation(error), context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        failPending(.connectionClosed)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        fail(.connectionClosed, context: context)
    }

    private func fail(_ error: RedisError, context: ChannelHandlerContext) {
        failPending(error)
        context.close(promise: nil)
    }

    private func failPending(_ error: RedisError) {
        while let promise = pending.popFirst() {
            promise.fail(error)
        }
    }
}
