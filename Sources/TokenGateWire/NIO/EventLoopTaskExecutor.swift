import NIOCore

/// Runs Swift concurrency jobs on a NIO event loop: a task that prefers it runs on the thread that
/// reads its connection's socket, so resuming it on a read and writing its next line wake no other
/// thread (the client's `taskExecutor`, the gateway's connection tasks).
@available(macOS 15.0, iOS 18.0, tvOS 18.0, watchOS 11.0, *)
public final class EventLoopTaskExecutor: TaskExecutor {
    /// The loop every job runs on.
    public let eventLoop: any EventLoop

    /// An executor for `eventLoop`.
    public init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}
