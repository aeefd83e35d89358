import CNcurses

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The only code that talks to ncurses: sets the terminal up, paints canvases, reads keys, waits for
/// input, and restores the terminal. Used from one thread only (the dashboard's terminal thread).
final class NcursesTerminal {
    let glyphs: Glyphs
    let hasColors: Bool
    private(set) var size: TerminalSize
    private var screen: OpaquePointer?
    private var painted: Canvas?
    private var buffer: [wchar_t] = []
    private var mutedUsesDim = false
    private var isOpen = true
    /// Set after a suspend: hide the cursor again once the screen is back.
    private var resumed = false
    /// Standard input reached end of file or hung up.
    private(set) var inputClosed = false

    /// Sets up the terminal: locale, raw mode (Ctrl-C arrives as a key), no echo, keypad, hidden
    /// cursor, colours, and the resize wake-up on `wakeFD`.
    init(options: DashboardOptions, wakeFD: Int32) throws {
        setlocale(LC_ALL, "")
        let utf8 = tg_locale_is_utf8() != 0
        guard let screen = newterm(nil, tg_stdout(), tg_stdin()) else {
            throw DashboardError.terminalSetupFailed("ncurses does not know TERM=\(Self.environment("TERM") ?? "(unset)")")
        }
        self.screen = screen
        _ = set_term(screen)
        _ = raw()
        _ = noecho()
        _ = nonl()
        _ = keypad(tg_stdscr(), true)
        _ = nodelay(tg_stdscr(), true)
        _ = leaveok(tg_stdscr(), true)
        _ = curs_set(0)
        _ = set_escdelay(25)

        switch options.glyphs {
        case .auto: glyphs = utf8 ? .unicode : .ascii
        case .unicode: glyphs = .unicode
        case .ascii: glyphs = .ascii
        }
        let wantColors: Bool
        switch options.color {
        case .auto: wantColors = has_colors() && Self.environment("NO_COLOR").map(\.isEmpty) ?? true
        case .always: wantColors = has_colors()
        case .never: wantColors = false
        }
        hasColors = wantColors
        size = TerminalSize(width: Int(tg_cols()), height: Int(tg_lines()))
        if wantColors { setUpColors() }
        _ = tg_install_winch_wakeup(wakeFD)
    }

    deinit { close() }

    /// Restores the terminal: the normal cursor, cooked mode, the main screen. Safe to call twice.
    func close() {
        guard isOpen else { return }
        isOpen = false
        _ = tg_remove_winch_wakeup()
        _ = curs_set(1)
        _ = endwin()
        if let screen { delscreen(screen) }
        screen = nil
    }

    /// Pairs 1-5: good green, warn yellow, bad red, accent cyan, muted grey, on the default background.
    private func setUpColors() {
        _ = start_color()
        let background: Int16 = use_default_colors() == OK ? -1 : Int16(COLOR_BLACK)
        let foreground: Int16 = background == -1 ? -1 : Int16(COLOR_WHITE)
        _ = init_pair(1, Int16(COLOR_GREEN), background)
        _ = init_pair(2, Int16(COLOR_YELLOW), background)
        _ = init_pair(3, Int16(COLOR_RED), background)
        _ = init_pair(4, Int16(COLOR_CYAN), background)
        if tg_colors() >= 16 {
            _ = init_pair(5, 8, background)
        } else {
            _ = init_pair(5, foreground, background)
            mutedUsesDim = true
        }
        _ = init_pair(6, foreground, background)
    }

    /// Paints `canvas`, touching only rows that changed since the last paint (ncurses then sends only
    /// the cells that changed). `full` repaints everything (after a resize, Ctrl-L or a suspend).
    func paint(_ canvas: Canvas, full: Bool) {
        let window = tg_stdscr()
        if full || painted?.size != canvas.size {
            _ = werase(window)
            _ = clearok(window, true)
            painted = nil
        }
        for y in 0..<canvas.height {
            let row = canvas.row(y)
            if let painted, painted.row(y) == row { continue }
            var x = 0
            var index = row.startIndex
            while index < row.endIndex {
                let style = row[index].style
                buffer.removeAll(keepingCapacity: true)
                var end = index
                while end < row.endIndex, row[end].style == style {
                    buffer.append(wchar_t(bitPattern: row[end].scalar.value))
                    end += 1
                }
                let count = buffer.count
                buffer.append(0)
                apply(style, to: window)
                _ = buffer.withUnsafeBufferPointer { pointer in
                    mvwaddnwstr(window, Int32(y), Int32(x), pointer.baseAddress, Int32(count))
                }
                x += count
                index = end
            }
        }
        _ = wattr_set(window, 0, 0, nil)
        painted = canvas
        _ = wnoutrefresh(window)
        _ = doupdate()
        if resumed {
            resumed = false
            _ = curs_set(0)
        }
    }

    private func apply(_ style: CellStyle, to window: UnsafeMutablePointer<WINDOW>?) {
        var attributes: attr_t = 0
        if style.bold { attributes |= attr_t(tg_a_bold()) }
        if style.reverse { attributes |= attr_t(tg_a_reverse()) }
        if style.dim { attributes |= attr_t(tg_a_dim()) }
        var pair: Int16 = 0
        if hasColors {
            switch style.role {
            case .normal: pair = 0
            case .good: pair = 1
            case .warn: pair = 2
            case .bad: pair = 3
            case .accent: pair = 4
            case .muted:
                pair = 5
                if mutedUsesDim { attributes |= attr_t(tg_a_dim()) }
            }
        } else if style.role == .muted {
            attributes |= attr_t(tg_a_dim())
        }
        _ = wattr_set(window, attributes, pair, nil)
    }

    /// The next key, or `nil` when none is waiting. A resize comes as `.resize` with `size` updated.
    func readKey() -> DashboardKey? {
        var character: wint_t = 0
        let result = wget_wch(tg_stdscr(), &character)
        if result == ERR { return nil }
        if result == KEY_CODE_YES {
            switch Int32(character) {
            case tg_key_resize():
                size = TerminalSize(width: Int(tg_cols()), height: Int(tg_lines()))
                return .resize
            case KEY_UP: return .up
            case KEY_DOWN: return .down
            case KEY_LEFT: return .left
            case KEY_RIGHT: return .right
            case KEY_PPAGE: return .pageUp
            case KEY_NPAGE: return .pageDown
            case KEY_HOME: return .home
            case KEY_END, KEY_LL: return .end
            case KEY_ENTER: return .enter
            default: return .other(Int32(character))
            }
        }
        switch character {
        case 0x1B: return .escape
        case 0x0D, 0x0A: return .enter
        default:
            guard let scalar = Unicode.Scalar(UInt32(character)) else { return .other(Int32(bitPattern: character)) }
            return .character(scalar)
        }
    }

    /// Blocks until standard input has bytes, `wakeFD` becomes readable, or `timeoutMs` passes.
    /// No busy loop: one `poll` per wait.
    func wait(wakeFD: Int32, timeoutMs: Int32) {
        var descriptors = [
            pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0),
            pollfd(fd: wakeFD, events: Int16(POLLIN), revents: 0),
        ]
        let result = poll(&descriptors, 2, timeoutMs)
        if result > 0, descriptors[0].revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0,
            descriptors[0].revents & Int16(POLLIN) == 0
        {
            inputClosed = true
        }
    }

    /// Leaves the screen, stops the process like Ctrl-Z in a shell, and takes the screen back when the
    /// shell continues it. Raw mode reads Ctrl-Z as a key, so this is done here, not in a signal handler.
    func suspend() {
        _ = def_prog_mode()
        _ = curs_set(1)
        _ = endwin()
        // Directed at this thread so that it stops before the call returns; a process-directed
        // kill could be taken by another thread and let this one run on, racing the shell for the
        // terminal's modes.
        _ = pthread_kill(pthread_self(), SIGSTOP)
        // Continued: the next paint's doupdate takes the screen back (program mode, alternate screen)
        // and repaints it all.
        size = TerminalSize(width: Int(tg_cols()), height: Int(tg_lines()))
        painted = nil
        resumed = true
    }

    private static func environment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }
}
