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
    /// Pause the selected worker, or resume it when it is paused (`x`).
    case toggleWorkerPause
    /// Open the detail pane of the selected worker, or close it (Enter).
    case toggleDetail
    /// Close the detail pane (Esc).
    case closeDetail
    /// Open the input line for the selected worker's cap (`c`).
    case editCap
    /// Open the input line of the worker table's name filter (`/`).
    case editFilter
    /// Drop the worker table's name filter (Esc while one is kept).
    case clearFilter
    /// A character typed into the open input line.
    case type(Character)
    /// Delete the input line's last character (Backspace).
    case deleteBackward
    /// Enter in an input line: set the cap, or keep the filter.
    case submitInput
    /// Esc in an input line: drop the cap's input, or the filter.
    case cancelInput
}

/// What is open on screen, which changes what some keys mean.
public struct KeyContext: Sendable, Equatable {
    /// The help overlay shows: any key but `q` and Ctrl-C closes it.
    public var helpShown: Bool
    /// The limit's confirm line is open: Enter applies, Esc cancels.
    public var limitProposalOpen: Bool
    /// An input line (cap or filter) is open: characters are typed into it.
    public var inputOpen: Bool
    /// The selected worker's detail pane shows: Esc closes it.
    public var detailShown: Bool
    /// The worker table is filtered by name: Esc drops the filter.
    public var filterActive: Bool

    public init(
        helpShown: Bool = false, limitProposalOpen: Bool = false, inputOpen: Bool = false, detailShown: Bool = false,
        filterActive: Bool = false
    ) {
        self.helpShown = helpShown
        self.limitProposalOpen = limitProposalOpen
        self.inputOpen = inputOpen
        self.detailShown = detailShown
        self.filterActive = filterActive
    }
}

/// Keys to actions: Tab/Shift-Tab select the pool, `p` pause/resume, `+`/`-` propose a limit (Enter applies, Esc cancels), `s`/`S` sort, arrows or `j`/`k` select, PgUp/PgDn,
/// Home/End or `g`/`G`, `x` pause/resume the selected worker, Enter its detail pane, `c` its cap,
/// `/` filter the workers by name, `?` help, `q` or Ctrl-C quit. Pure.
public enum KeyMap {
    /// curses' KEY_BTAB (Shift-Tab).
    static let backTab: Int32 = 0o541
    /// The action for `key`, or `nil` when the key means nothing. While the help overlay shows, `q`
    /// and Ctrl-C still quit and any other key closes it.
    public static func action(for key: DashboardKey, helpShown: Bool = false) -> DashboardAction? {
        action(for: key, in: KeyContext(helpShown: helpShown))
    }

    /// curses' KEY_BACKSPACE.
    static let backspace: Int32 = 0o407

    /// The action for `key` with `context` open on screen, or `nil` when the key means nothing. In
    /// an input line every printable character is typed (`q` too); Ctrl-C still quits.
    public static func action(for key: DashboardKey, in context: KeyContext) -> DashboardAction? {
        if key == .resize { return .resize }
        if context.inputOpen { return inputAction(for: key) }
        if key == .controlC || key == .character("q") || key == .character("Q") { return .quit }
        if context.helpShown { return .closeHelp }
        switch key {
        case .enter: return context.limitProposalOpen ? .confirmLimit : .toggleDetail
        case .escape:
            if context.limitProposalOpen { return .cancelLimit }
            if context.detailShown { return .closeDetail }
            return context.filterActive ? .clearFilter : nil
        case .character(let scalar):
            switch scalar {
            case "x", "X": return .toggleWorkerPause
            case "c", "C": return .editCap
            case "/": return .editFilter
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
        case .other(let code): return code == backTab ? .previousPool : nil
        case .resize: return nil
        }
    }

    /// Keys in an open input line.
    static func inputAction(for key: DashboardKey) -> DashboardAction? {
        switch key {
        case .enter: return .submitInput
        case .escape: return .cancelInput
        case .other(let code): return code == backspace ? .deleteBackward : nil
        case .character(let scalar):
            if key == .controlC { return .quit }
            if scalar == "\u{7F}" || scalar == "\u{08}" { return .deleteBackward }
            guard scalar.value >= 0x20, !scalar.properties.isNoncharacterCodePoint,
                  scalar.properties.generalCategory != .control else { return nil }
            return .type(Character(scalar))
        default: return nil
        }
    }
}
