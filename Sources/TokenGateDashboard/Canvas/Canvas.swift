/// One screen cell: a Unicode scalar that takes exactly one column, and its style.
///
/// A scalar rather than a `Character`: every glyph the dashboard draws is a single scalar, scalars
/// compare in one instruction (the backend diffs whole frames) and map directly to `wchar_t`.
public struct Cell: Sendable, Hashable {
    public var scalar: Unicode.Scalar
    public var style: CellStyle

    public init(_ scalar: Unicode.Scalar = " ", style: CellStyle = .plain) {
        self.scalar = scalar
        self.style = style
    }

    public static let blank = Cell()
}

/// Text alignment inside a rectangle.
public enum TextAlignment: Sendable {
    case left, center, right
}

/// A grid of styled cells: what one frame of the dashboard looks like, independent of any terminal.
///
/// A pure value type. Writes outside the grid are clipped, never trapped. Text is sanitised so that
/// every cell holds one printable, single-column scalar (anything else becomes `?`).
public struct Canvas: Sendable, Equatable {
    /// Columns and rows.
    public let size: TerminalSize
    /// Row by row, `width` cells each.
    public private(set) var cells: [Cell]

    public init(size: TerminalSize, fill: Cell = .blank) {
        self.size = TerminalSize(width: max(0, size.width), height: max(0, size.height))
        self.cells = Array(repeating: fill, count: self.size.width * self.size.height)
    }

    public var width: Int { size.width }
    public var height: Int { size.height }
    /// The whole canvas as a rectangle.
    public var bounds: Rect { Rect(x: 0, y: 0, width: width, height: height) }

    /// The cell at column `x`, row `y`; reading outside gives a blank cell, writing outside is ignored.
    public subscript(x: Int, y: Int) -> Cell {
        get {
            guard x >= 0, y >= 0, x < width, y < height else { return .blank }
            return cells[y * width + x]
        }
        set {
            guard x >= 0, y >= 0, x < width, y < height else { return }
            cells[y * width + x] = newValue
        }
    }

    /// The cells of row `y`.
    public func row(_ y: Int) -> ArraySlice<Cell> {
        cells[(y * width)..<((y + 1) * width)]
    }

    /// Puts one scalar at `x`, `y` (sanitised, clipped).
    public mutating func put(_ scalar: Unicode.Scalar, x: Int, y: Int, style: CellStyle) {
        self[x, y] = Cell(Canvas.displayable(scalar), style: style)
    }

    /// Writes `text` from `x`, `y` rightwards, one scalar per column, at most `maxWidth` columns.
    /// Returns the number of columns written.
    @discardableResult
    public mutating func write(_ text: String, x: Int, y: Int, style: CellStyle, maxWidth: Int = .max) -> Int {
        var column = 0
        for scalar in text.unicodeScalars where !Canvas.isCombining(scalar) {
            guard column < maxWidth else { break }
            put(scalar, x: x + column, y: y, style: style)
            column += 1
        }
        return column
    }

    /// Writes `text` on row `row` of `rect`, aligned, clipped to the rectangle's width.
    /// Returns the column where the text starts.
    @discardableResult
    public mutating func write(
        _ text: String, in rect: Rect, row: Int = 0, align: TextAlignment = .left, style: CellStyle
    ) -> Int {
        guard row >= 0, row < rect.height else { return rect.x }
        let length = Canvas.columns(text)
        let start: Int
        switch align {
        case .left: start = rect.x
        case .right: start = rect.x + max(0, rect.width - length)
        case .center: start = rect.x + max(0, (rect.width - length) / 2)
        }
        write(text, x: start, y: rect.y + row, style: style, maxWidth: rect.maxX - start)
        return start
    }

    /// Fills `rect` with `scalar` in `style`.
    public mutating func fill(_ rect: Rect, with scalar: Unicode.Scalar = " ", style: CellStyle = .plain) {
        let cell = Cell(Canvas.displayable(scalar), style: style)
        for y in max(0, rect.y)..<min(height, rect.maxY) {
            for x in max(0, rect.x)..<min(width, rect.maxX) {
                cells[y * width + x] = cell
            }
        }
    }

    /// Changes the style of every cell in `rect`, keeping the scalars.
    public mutating func restyle(_ rect: Rect, _ change: (inout CellStyle) -> Void) {
        for y in max(0, rect.y)..<min(height, rect.maxY) {
            for x in max(0, rect.x)..<min(width, rect.maxX) {
                change(&cells[y * width + x].style)
            }
        }
    }

    /// The canvas as plain text: one line per row, trailing spaces trimmed, joined by newlines.
    public var text: String {
        var lines: [String] = []
        lines.reserveCapacity(height)
        for y in 0..<height {
            var line = String.UnicodeScalarView()
            for cell in row(y) { line.append(cell.scalar) }
            var string = String(line)
            while string.last == " " { string.removeLast() }
            lines.append(string)
        }
        return lines.joined(separator: "\n")
    }

    /// The styles as text, one letter per cell, for tests: the role's initial (`.` for normal,
    /// `g`ood, `w`arn, `b`ad, `a`ccent, `m`uted), upper-cased when bold or reversed.
    public var styleMap: String {
        var lines: [String] = []
        for y in 0..<height {
            var line = ""
            for cell in row(y) {
                let letter: Character
                switch cell.style.role {
                case .normal: letter = "."
                case .good: letter = "g"
                case .warn: letter = "w"
                case .bad: letter = "b"
                case .accent: letter = "a"
                case .muted: letter = "m"
                }
                let strong = cell.style.bold || cell.style.reverse
                line.append(strong ? (letter == "." ? "#" : Character(letter.uppercased())) : letter)
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }

    /// Replaces every non-ASCII scalar by an ASCII look-alike (`→` `>`, `·` `-`, `…` `~`) or `?`: the
    /// last step of rendering for terminals whose locale is not UTF-8, so text from messages is safe too.
    public mutating func asciiOnly() {
        for index in cells.indices where !cells[index].scalar.isASCII {
            let replacement: Unicode.Scalar
            switch cells[index].scalar {
            case "→": replacement = ">"
            case "←": replacement = "<"
            case "·", "–", "—", "─", "╌": replacement = "-"
            case "…": replacement = "~"
            case "‖": replacement = "="
            case "│", "┃": replacement = "|"
            case "█", "▓", "▒": replacement = "#"
            case "░": replacement = "."
            default: replacement = "?"
            }
            cells[index].scalar = replacement
        }
    }

    /// The number of columns `text` takes on a canvas.
    public static func columns(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { $0 + (isCombining($1) ? 0 : 1) }
    }

    /// `scalar` if it is printable and one column wide, otherwise `?`.
    public static func displayable(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        isSingleColumn(scalar) ? scalar : "?"
    }

    /// Whether `scalar` is a printable scalar that every terminal draws in exactly one column:
    /// printable ASCII, Latin-1 and general punctuation, arrows, box drawing, blocks, geometric shapes
    /// and Braille. Anything else (controls, wide CJK, emoji) is replaced when written.
    public static func isSingleColumn(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x20...0x7E, 0xA1...0xFF, 0x2010...0x2027, 0x2030...0x205E, 0x2190...0x21FF,
            0x2200...0x22FF, 0x2500...0x25FF, 0x2800...0x28FF:
            return true
        default:
            return false
        }
    }

    static func isCombining(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x0300...0x036F, 0x200B...0x200F, 0xFE00...0xFE0F: return true
        default: return false
        }
    }
}
