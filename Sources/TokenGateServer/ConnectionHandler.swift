import NIOCore
import TokenGateWire

/// Feeds one connection's framed lines to the gate host and keeps its reply backlog bounded: when
/// the peer stops reading, the daemon stops reading its requests until it catches up.
final class ConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = Frame

    private let host: GateHost
    private let session: Session

    init(host: GateHost, session: Session) {
        self.host = host
        self.session = session
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .line(let line):
            let isBlank = line.readableBytesView.allSatisfy { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
            guard !isBlank else { return }
            host.handle(line: line, from: session)
        case .tooLong:
            host.rejectLongLine(from: session)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        session.flush()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        let writable = context.channel.isWritable
        context.channel.setOption(ChannelOptions.autoRead, value: writable).whenFailure { _ in }
        if writable { context.read() }
    }

    func channelInactive(context: ChannelHandlerContext) {
        host.close(session)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        host.logger.debug("connection error", metadata: ["worker": "\(session.worker)", "error": "\(error)"])
        context.close(promise: nil)
    }
}
