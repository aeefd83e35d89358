/// A key as the dashboard sees it, decoded by the terminal backend.
public enum DashboardKey: Sendable, Equatable {
    /// A typed character; control keys arrive as their control code (Ctrl-C is `\u{03}`).
    case character(Unicode.Scalar)
    case up, down, left, right, pageUp, pageDown, home, end, enter, escape
    /// The terminal changed size.
    case resize
    /// Any other function key, by its curses code.
    case other(Int32)

    /// Ctrl-C, read as a key because the terminal is in raw mode.
    public static let controlC = DashboardKey.character("\u{03}")
}

/// What a key asks for. Pure data: ``KeyMap`` produces it, ``DashboardSession`` carries it out.
public enum DashboardAction: Sendable, Equatable {
    /// Pause a running (or cooling down) daemon, resume a paused one.
    case togglePause
    /// Propose the limit 10 % higher (opens the confirm line, or steps it up).
    case raiseLimit
    /// Propose the limit 10 % lower (opens the confirm line, or steps it down).
    case lowerLimit
    /// Apply the proposed limit (Enter).
    case confirmLimit
    /// Close the confirm line, changing nothing (Esc).
    case cancelLimit
    /// Select the next pool (Tab): all, `default`, then the others in the daemon's order, then all
    /// again. Only when the daemon has more than one pool.
    case nextPool
    /// Select the previous pool (Shift-Tab).
    case previousPool
    case nextSort
    case previousSort
    case selectPrevious
    case selectNext
    case pageUp
    case pageDown
    case selectFirst
    case selectLast
    case toggleHelp
    case closeHelp
    /// Repaint the whole screen (Ctrl-L).
    case redraw
    /// Stop the process like a shell's Ctrl-Z, restoring the terminal first (raw mode reads Ctrl-Z as a key).
    case suspend
    /// The terminal was resized.
    case resize
    case quit
}

/// Keys to actions: Tab/Shift-Tab select the pool, `p` pause/resume, `+`/`-` propose a limit (Enter applies, Esc cancels), `s`/`S` sort, arrows or `j`/`k` select, PgUp/PgDn,
/// Home/End or `g`/`G`, `?` help, `q` or Ctrl-C quit. Pure.
public enum KeyMap {
    /// curses' KEY_BTAB (Shift-Tab).
    static let backTab: Int32 = 0o541
    /// The action for `key`, or `nil` when the key means nothing. While the help overlay shows, `q`
    /// and Ctrl-C still quit and any other key closes it.
    public static func action(for key: DashboardKey, helpShown: Bool = false) -> DashboardAction? {
        if key == .resize { return .resize }
        if key == .controlC || key == .character("q") || key == .character("Q") { return .quit }
        if helpShown { return .closeHelp }
        switch key {
        case .character(let scalar):
            switch scalar {
            case "p", "P": return .togglePause
            case "+", "=": return .raiseLimit
            case "-", "_": return .lowerLimit
            case "s": return .nextSort
            case "S": return .previousSort
            case "k": return .selectPrevious
            case "j": return .selectNext
            case "g": return .selectFirst
            case "G": return .selectLast
            case "?", "h", "H": return .toggleHelp
            case "\t": return .nextPool
            case "\u{0C}": return .redraw
            case "\u{1A}": return .suspend
            case "\u{02}": return .pageUp
            case "\u{06}": return .pageDown
            default: return nil
            }
        case .up: return .selectPrevious
        case .down: return .selectNext
        case .pageUp: return .pageUp
        case .pageDown: return .pageDown
        case .home: return .selectFirst
        case .end: return .selectLast
        case .left: return .previousSort
        case .right: return .nextSort
        case .enter: return .confirmLimit
        case .escape: return .cancelLimit
        case .other(let code): return code == backTab ? .previousPool : nil
        case .resize: return nil
        }
    }
}
