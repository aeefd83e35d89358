import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// Writes a relayed response's head and body into the agent's channel. From a task on the
/// channel's event loop (where the gateway serves), parts written with no wait between them (the
/// head and the chunks that came in with it) leave in one flush, at the latest when the loop's
/// current turn ends: nothing is held back while the gateway waits for more. A channel over its
/// high watermark (a slow agent), or a write from another thread, is flushed and waited on.
struct AgentResponseWriter {
    private let channel: any Channel
    private let flushScheduled = NIOLockedValueBox(false)

    init(channel: any Channel) {
        self.channel = channel
    }

    /// Writes `part`; throws `ClientWriteFailure` when the agent's connection is gone.
    func write(_ part: HTTPServerResponsePart) async throws {
        guard channel.isActive else { throw ClientWriteFailure() }
        guard channel.eventLoop.inEventLoop, channel.isWritable else {
            do {
                try await channel.writeAndFlush(part).get()
            } catch {
                throw ClientWriteFailure()
            }
            return
        }
        channel.write(part, promise: nil)
        guard !flushScheduled.withLockedValue({ scheduled in defer { scheduled = true }; return scheduled }) else { return }
        let channel = self.channel
        let scheduled = flushScheduled
        channel.eventLoop.execute {
            scheduled.withLockedValue { $0 = false }
            channel.flush()
        }
    }
}
