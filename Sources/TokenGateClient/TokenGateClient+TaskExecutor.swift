import NIOCore
import TokenGateWire

extension TokenGateClient {
    /// A task executor that runs jobs on this client's event loop, the thread that reads the
    /// daemon's replies.
    ///
    /// Tasks that prefer it skip two thread hops per request: a reply resumes the waiting task on
    /// the thread that read it, and the task's next request is written from there without waking
    /// another thread. A tight worker loop then costs one write, one read and one `epoll_wait` per
    /// request:
    ///
    /// ```swift
    /// try await withTaskExecutorPreference(client.taskExecutor) {
    ///     while running {
    ///         let grant = try await client.acquire(tokens: estimate)
    ///         let usage = try await send(request)
    ///         try await client.report(grant, input: usage.input, output: usage.output)
    ///     }
    /// }
    /// ```
    ///
    /// Only non-blocking code belongs there: while a job runs, this client (and any other
    /// connection on the same event loop) reads nothing.
    @available(macOS 15.0, iOS 18.0, tvOS 18.0, watchOS 11.0, *)
    public var taskExecutor: any TaskExecutor {
        EventLoopTaskExecutor(eventLoop: core.eventLoop)
    }
}

