import DequeModule
import Foundation
import NIOConcurrencyHelpers

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Hands messages from the async side to the terminal thread: a lock-protected queue plus a self-pipe
/// whose read end the terminal thread polls next to standard input, so a message wakes it at once.
final class DashboardMailbox: Sendable {
    /// A message for the terminal thread.
    enum Message: Sendable {
        case link(DashboardLinkEvent)
        case commandFailed(DashboardSession.Command, reason: String)
        /// Quit: the dashboard's task was cancelled.
        case stop
    }

    /// The pipe's read end (polled by the terminal thread) and write end (written by `post` and by
    /// the SIGWINCH handler).
    let readFD: Int32
    let writeFD: Int32
    private struct Queue {
        var messages: Deque<Message> = []
        var closed = false
    }

    private let queue = NIOLockedValueBox(Queue())
    /// More queued messages than this means the terminal thread is stuck; the oldest are dropped.
    static let capacity = 4_096

    init() throws {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw DashboardError.terminalSetupFailed("pipe: errno \(errno)") }
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        readFD = fds[0]
        writeFD = fds[1]
    }

    /// Queues `message` and wakes the terminal thread.
    func post(_ message: Message) {
        let accepted = queue.withLockedValue { queue in
            guard !queue.closed else { return false }
            if queue.messages.count == Self.capacity { queue.messages.removeFirst() }
            queue.messages.append(message)
            return true
        }
        if accepted { wake() }
    }

    /// Writes one byte to the pipe; a full pipe already means "wake up", so EAGAIN is fine.
    func wake() {
        var byte: UInt8 = 1
        _ = write(writeFD, &byte, 1)
    }

    /// Empties the pipe and returns the queued messages, oldest first.
    func take() -> [Message] {
        var scratch = [UInt8](repeating: 0, count: 256)
        while read(readFD, &scratch, scratch.count) > 0 {}
        return queue.withLockedValue { queue in
            defer { queue.messages.removeAll(keepingCapacity: true) }
            return Array(queue.messages)
        }
    }

    /// Closes the pipe; later posts are dropped. Call once the terminal thread is done.
    func close() {
        queue.withLockedValue { $0.closed = true }
        closeDescriptor(readFD)
        closeDescriptor(writeFD)
    }
}

private func closeDescriptor(_ fd: Int32) {
    _ = close(fd)
}

/// The terminal thread's result, set once by that thread and awaited by the async side.
final class ThreadOutcome<Value: Sendable>: Sendable {
    private struct State {
        var result: Result<Value, any Error>?
        var waiter: CheckedContinuation<Result<Value, any Error>, Never>?
    }

    private let state = NIOLockedValueBox(State())

    /// Sets the result and wakes the waiter, if any.
    func set(_ result: Result<Value, any Error>) {
        let waiter = state.withLockedValue { state in
            state.result = result
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: result)
    }

    /// Waits for the result, even when the calling task is cancelled: the terminal must be restored
    /// before the dashboard returns.
    func value() async -> Result<Value, any Error> {
        await withCheckedContinuation { continuation in
            let ready: Result<Value, any Error>? = state.withLockedValue { state in
                if let result = state.result { return result }
                state.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}
