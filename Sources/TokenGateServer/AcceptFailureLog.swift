import Logging
import NIOCore

/// Sits on the listening channel: when `accept` fails (most often `EMFILE`, the file descriptor
/// limit reached) it stops reading the listening socket for a short pause, logs once per streak
/// of failures, and logs again when accepting works anew. Connections already open are served
/// all along; the ones waiting in the backlog get in once descriptors free up.
///
/// (NIO keeps a failed listening socket registered for reading, and epoll reports it readable
/// again at once: without the pause the event loop spins on `accept`. Turning `autoRead` off
/// unregisters it.)
final class AcceptFailureLog: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = Channel
    typealias InboundOut = Channel

    /// How long the listening socket rests after a failed accept: long enough not to spin on a
    /// backlog it cannot take, short enough that a freed descriptor is used within a blink.
    static let pause = TimeAmount.milliseconds(100)

    private let logger: Logger
    private var failures = 0
    private var resting = false

    init(logger: Logger) {
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if failures > 0 {
            logger.notice("accepting connections again", metadata: ["failed_accepts": "\(failures)"])
            failures = 0
        }
        context.fireChannelRead(data)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        failures += 1
        if failures == 1 {
            logger.error(
                "accept failed; serving open connections and retrying",
                metadata: ["error": "\(error)", "retry_ms": "\(Self.pause.nanoseconds / 1_000_000)"]
            )
        }
        guard !resting else { return }
        resting = true
        let channel = context.channel
        channel.setOption(ChannelOptions.autoRead, value: false).whenComplete { _ in }
        context.eventLoop.assumeIsolated().scheduleTask(in: Self.pause) { [self] in
            resting = false
            channel.setOption(ChannelOptions.autoRead, value: true).whenComplete { _ in }
        }
    }
}
