import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs the live dashboard on this terminal until the operator quits (`q` or Ctrl-C), and returns the
/// exit status (0). The terminal is restored on every way out.
///
/// One dedicated thread owns every ncurses call: it blocks in `poll` on standard input and a self-pipe.
/// Link events are posted to it through a mailbox that writes to the pipe; the commands it asks for
/// (pause, resume, set limit, a worker's pause and cap) come back here and run as tasks calling `link`; a failed command shows in
/// the events panel. Cancelling the calling task quits the dashboard too.
///
/// - Parameters:
///   - link: the daemon connection (`top` and `demo` implement it over the socket).
///   - socketLabel: shown in the header, usually the socket path.
///   - options: glyphs, colours, tick.
/// - Throws: ``DashboardError`` when standard input or output is not a terminal or ncurses cannot set
///   it up.
public func runDashboard(
    link: some DashboardLink, socketLabel: String, options: DashboardOptions = DashboardOptions()
) async throws -> Int32 {
    guard isatty(STDIN_FILENO) != 0, isatty(STDOUT_FILENO) != 0 else { throw DashboardError.notATerminal }
    let mailbox = try DashboardMailbox()
    let outcome = ThreadOutcome<Int32>()
    let (commands, commandSink) = AsyncStream.makeStream(of: DashboardSession.Command.self)

    let thread = Thread {
        let loop = TerminalLoop(mailbox: mailbox, options: options, socketLabel: socketLabel, commands: commandSink)
        outcome.set(Result { try loop.run() })
        commandSink.finish()
    }
    thread.name = "tokengate-dashboard"
    thread.start()

    await withTaskCancellationHandler {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await event in link.events() { mailbox.post(.link(event)) }
                // A stream that ends by itself means the link gave up; say so rather than freeze.
                if !Task.isCancelled { mailbox.post(.link(.disconnected(reason: "link closed"))) }
            }
            // Ends when the terminal thread finishes.
            for await command in commands {
                group.addTask {
                    do {
                        switch command {
                        case .pause(let pool): try await link.pause(pool: pool)
                        case .resume(let pool): try await link.resume(pool: pool)
                        case .setLimit(let limit, let pool): try await link.setLimit(limit, pool: pool)
                        case .pauseWorker(let worker): try await link.pause(worker: worker)
                        case .resumeWorker(let worker): try await link.resume(worker: worker)
                        case .setCap(let cap, let worker): try await link.setCap(cap, worker: worker)
                        }
                    } catch {
                        mailbox.post(.commandFailed(command, reason: String(describing: error)))
                    }
                }
            }
            group.cancelAll()
        }
    } onCancel: {
        mailbox.post(.stop)
    }
    // The stream of commands also ends when this task is cancelled: wait for the thread to restore
    // the terminal before closing the pipe it polls.
    let result = await outcome.value()
    mailbox.close()
    return try result.get()
}
