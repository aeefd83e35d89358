/// How the dashboard draws.
public struct DashboardOptions: Sendable, Equatable {
    /// Which glyphs to draw with.
    public enum GlyphMode: Sendable, Equatable {
        /// Unicode when the locale's character set is UTF-8, ASCII otherwise.
        case auto
        case unicode
        case ascii
    }

    /// Whether to use colours.
    public enum ColorMode: Sendable, Equatable {
        /// Colours when the terminal has them and `NO_COLOR` is not set.
        case auto
        case always
        /// Monochrome: bold, reverse and dim only.
        case never
    }

    public var glyphs: GlyphMode
    public var color: ColorMode
    /// How often the screen refreshes when nothing else happens (countdowns, uptime, ages).
    public var tick: Duration
    /// What the help overlay says `q` does: `top` leaves the daemon running; the demo stops its own.
    public var quitText: String

    public init(
        glyphs: GlyphMode = .auto, color: ColorMode = .auto, tick: Duration = .seconds(1),
        quitText: String = "quit (the daemon keeps running)"
    ) {
        self.glyphs = glyphs
        self.color = color
        self.tick = tick
        self.quitText = quitText
    }
}

/// Why the dashboard could not run.
public enum DashboardError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Standard input or output is not a terminal.
    case notATerminal
    /// ncurses could not set up the terminal (unknown `TERM`, for instance).
    case terminalSetupFailed(String)

    public var description: String {
        switch self {
        case .notATerminal: "the dashboard needs a terminal (stdin and stdout must be a tty)"
        case .terminalSetupFailed(let reason): "cannot set up the terminal: \(reason)"
        }
    }
}
