import NIOCore

/// Runs Swift concurrency jobs on a NIO event loop: a connection's task that prefers it runs on
/// the thread that reads the agent's socket and the upstream's (the gateway's one loop serves
/// both), so relaying a chunk wakes no other thread.
@available(macOS 15.0, iOS 18.0, tvOS 18.0, watchOS 11.0, *)
final class EventLoopTaskExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}
