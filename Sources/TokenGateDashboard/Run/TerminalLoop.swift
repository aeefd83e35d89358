/// The terminal thread's loop: owns the terminal and the session, blocks in `poll` on standard input
/// and the mailbox's pipe, and redraws on a snapshot, a key, a resize or the tick. No busy loop.
struct TerminalLoop {
    let mailbox: DashboardMailbox
    let options: DashboardOptions
    let socketLabel: String
    /// Where commands for the daemon go (to async tasks calling the link).
    let commands: AsyncStream<DashboardSession.Command>.Continuation

    /// Runs until `q`, Ctrl-C or a stop message; the terminal is restored on every way out.
    func run() throws -> Int32 {
        let terminal = try NcursesTerminal(options: options, wakeFD: mailbox.writeFD)
        defer { terminal.close() }
        var session = DashboardSession(socketLabel: socketLabel, size: terminal.size)
        session.quitText = options.quitText
        let clock = ContinuousClock()
        let start = clock.now
        func now() -> Double {
            let elapsed = (clock.now - start).components
            return Double(elapsed.seconds) + Double(elapsed.attoseconds) * 1e-18
        }
        let tick = max(0.05, Double(options.tick.components.seconds) + Double(options.tick.components.attoseconds) * 1e-18)
        var needsPaint = true
        var fullPaint = true
        var lastPaint = -Double.infinity

        while true {
            for message in mailbox.take() {
                switch message {
                case .link(let event):
                    session.receive(event, now: now())
                case .commandFailed(let command, let reason):
                    session.commandFailed(command, reason: reason, now: now())
                case .stop:
                    return 0
                }
                needsPaint = true
            }

            while let key = terminal.readKey() {
                if key == .resize { session.resize(to: terminal.size) }
                guard let action = KeyMap.action(for: key, in: session.keyContext) else { continue }
                switch session.handle(action, now: now()) {
                case .none: break
                case .quit: return 0
                case .repaint: fullPaint = true
                case .command(let command): commands.yield(command)
                case .suspend:
                    terminal.suspend()
                    session.resize(to: terminal.size)
                    fullPaint = true
                }
                needsPaint = true
            }
            if terminal.inputClosed { return 0 }

            let time = now()
            if needsPaint || time - lastPaint >= tick {
                terminal.paint(session.render(glyphs: terminal.glyphs, now: time), full: fullPaint)
                lastPaint = time
                needsPaint = false
                fullPaint = false
            }
            let timeout = Int32(max(1, ((lastPaint + tick - now()) * 1000).rounded(.up)))
            terminal.wait(wakeFD: mailbox.readFD, timeoutMs: timeout)
        }
    }
}
