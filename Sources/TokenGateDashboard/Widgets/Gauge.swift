import TokenGateCore
import TokenGateWire

/// Where the parts of a horizontal gauge fall, in cells and eighths. Pure maths, tested on its own.
///
/// From the left: used (solid, in eighth-cell steps), external (usage the provider reported that this
/// daemon did not see), reserved (shaded), empty; the threshold marker sits on top.
public struct GaugeGeometry: Sendable, Equatable {
    /// The bar's width in cells.
    public let width: Int
    /// Steps per cell: 8 with eighth blocks, 1 in ASCII.
    public let stepsPerCell: Int
    /// The used part, in steps (at least one step when anything is used).
    public let usedSteps: Int
    /// The cells reached by used + external (at least one cell past the used part when there is
    /// external usage).
    public let externalEnd: Int
    /// The cells reached by used + external + reserved (at least one cell past the external part when
    /// anything is reserved).
    public let committedCells: Int
    /// The cell that shows the threshold: the first cell past `threshold x width`; `nil` when the
    /// threshold is not below 1.
    public let markerColumn: Int?

    public init(
        width: Int, limit: Int64, used: Int64, reserved: Int64, threshold: Double, external: Int64 = 0,
        stepsPerCell: Int = 8
    ) {
        self.width = max(0, width)
        self.stepsPerCell = max(1, stepsPerCell)
        let totalSteps = self.width * self.stepsPerCell
        guard limit > 0, self.width > 0 else {
            usedSteps = 0
            externalEnd = 0
            committedCells = 0
            markerColumn = nil
            return
        }
        let used = max(0, used)
        let external = max(0, external)
        let reserved = max(0, reserved)
        let scale = Double(totalSteps) / Double(limit)
        var steps = Int((Double(used) * scale).rounded())
        if used > 0 { steps = max(1, steps) }
        usedSteps = min(totalSteps, steps)

        let cellScale = Double(self.width) / Double(limit)
        let usedCellsTouched = (usedSteps + self.stepsPerCell - 1) / self.stepsPerCell
        var externalEnd = max(usedCellsTouched, Int((Double(used + external) * cellScale).rounded()))
        if external > 0 { externalEnd = max(externalEnd, usedCellsTouched + 1) }
        self.externalEnd = min(self.width, externalEnd)
        var committed = max(self.externalEnd, Int((Double(used + external + reserved) * cellScale).rounded()))
        if reserved > 0 { committed = max(committed, self.externalEnd + 1) }
        committedCells = min(self.width, committed)
        if threshold > 0, threshold < 1 {
            markerColumn = min(self.width - 1, Int((threshold * Double(self.width)).rounded(.down)))
        } else {
            markerColumn = nil
        }
    }

    /// Cells entirely used.
    public var fullCells: Int { usedSteps / stepsPerCell }
    /// Steps of the partly used cell after the full ones (0 when none).
    public var partialSteps: Int { usedSteps % stepsPerCell }
    /// The cells showing external usage.
    public var externalCells: Range<Int> {
        let start = fullCells + (partialSteps > 0 ? 1 : 0)
        return start..<max(start, externalEnd)
    }
    /// The cells showing reserved tokens.
    public var reservedCells: Range<Int> {
        let start = max(externalEnd, fullCells + (partialSteps > 0 ? 1 : 0))
        return start..<max(start, committedCells)
    }

    /// What cell `x` shows.
    public func part(at x: Int) -> Part {
        if x == markerColumn { return .marker(over: x < committedCells) }
        if x < fullCells { return .used(steps: stepsPerCell) }
        if x == fullCells && partialSteps > 0 { return .used(steps: partialSteps) }
        if externalCells.contains(x) { return .external }
        if reservedCells.contains(x) { return .reserved }
        return .empty
    }

    /// What one cell of the gauge shows.
    public enum Part: Sendable, Equatable {
        /// Used tokens, `steps` of `stepsPerCell`.
        case used(steps: Int)
        /// Usage the provider reported that this daemon did not see.
        case external
        case reserved
        case empty
        /// The threshold marker, drawn over a filled cell or an empty one.
        case marker(over: Bool)
    }
}

/// One budget's gauge row: name, bar (used solid, reserved shaded, threshold marker), percent, figures
/// and a level word.
public struct Gauge: Sendable {
    public var name: String
    public var limit: Int64
    public var used: Int64
    public var reserved: Int64
    public var threshold: Double
    /// Usage the provider reported that this daemon did not see; it counts for admission.
    public var external: Int64
    /// Whether to keep a column for the external figure (set on every gauge when any has one, so
    /// the bars stay aligned).
    public var showsExternalColumn: Bool
    /// A pool's gauge (contract v2, several pools): the pool's own state, shown as a badge after the
    /// level word; `nil` for a budget's gauge, which has none.
    public var poolState: GateState?
    /// The pool's cooldown left, for the badge.
    public var cooldownRemainingMs: Int64?
    /// The pool the keys act on: its name shows in reverse video.
    public var selected = false

    public init(name: String, limit: Int64, used: Int64, reserved: Int64, threshold: Double, external: Int64 = 0) {
        self.name = name
        self.limit = limit
        self.used = used
        self.reserved = reserved
        self.threshold = threshold
        self.external = external
        showsExternalColumn = external > 0
    }

    /// The level used to colour the bar: used + external + reserved (what admission counts) against
    /// the threshold.
    public var level: UsageLevel {
        UsageLevel(value: used + max(0, external) + reserved, limit: limit, threshold: threshold)
    }

    /// Columns for the name.
    static let nameWidth = 9
    /// Columns after the bar: `  67%  1.21M +84.0k  / 1.80M NEAR`.
    static let figuresWidth = 39
    /// Columns for ` ext 120.0k`.
    static let externalWidth = 11
    /// Columns for a pool's state badge: ` PAUSED`, ` COOL 12s`, ` running`.
    static let badgeWidth = 10

    /// Draws the gauge on row `rect.y` across `rect.width` columns.
    public func draw(into canvas: inout Canvas, _ rect: Rect, glyphs: Glyphs) {
        let figuresWidth = Gauge.figuresWidth + (showsExternalColumn ? Gauge.externalWidth : 0)
            + (poolState == nil ? 0 : Gauge.badgeWidth)
        guard rect.height > 0, rect.width > Gauge.nameWidth + figuresWidth + 4 else { return }
        let y = rect.y
        canvas.write(
            glyphs.truncate(name, to: Gauge.nameWidth - 1), x: rect.x, y: y,
            style: CellStyle(selected ? .accent : .normal, bold: true, reverse: selected))
        let barX = rect.x + Gauge.nameWidth
        let barWidth = rect.width - Gauge.nameWidth - figuresWidth
        drawBar(into: &canvas, x: barX, y: y, width: barWidth, glyphs: glyphs)

        let level = self.level
        let percent = limit > 0 ? Format.percent(Double(used) / Double(limit)) : "-"
        var x = barX + barWidth + 1
        x += canvas.write(percent.leftPadding(4), x: x, y: y, style: CellStyle(level.role, bold: level != .ok))
        x += 2
        let figures = [
            TextSpan(Format.tokens(used).leftPadding(6)),
            TextSpan(" +", .muted),
            TextSpan((Format.tokens(reserved) + " rsv").padding(10), .muted),
            TextSpan(" / ", .muted),
            TextSpan(Format.tokens(limit).leftPadding(6)),
        ]
        x = canvas.write(figures, x: x, y: y, maxX: rect.maxX)
        x += 1
        canvas.write(level.word, x: x, y: y, style: level.wordStyle, maxWidth: rect.maxX - x)
        x += 4
        if external > 0 {
            canvas.write(" ext " + Format.tokens(external), x: x, y: y, style: .muted, maxWidth: rect.maxX - x)
        }
        if let poolState {
            let badgeX = rect.maxX - Gauge.badgeWidth + 1
            let badge: TextSpan
            switch poolState {
            case .running: badge = TextSpan("running", .muted)
            case .paused: badge = TextSpan("PAUSED", CellStyle(.warn, bold: true, reverse: true))
            case .cooldown:
                badge = TextSpan("COOL " + Format.countdown(milliseconds: cooldownRemainingMs ?? 0), CellStyle(.bad, bold: true, reverse: true))
            }
            canvas.write([badge], x: badgeX, y: y, maxX: rect.maxX)
        }
    }

    /// Draws the bar alone.
    public func drawBar(into canvas: inout Canvas, x: Int, y: Int, width: Int, glyphs: Glyphs) {
        let geometry = GaugeGeometry(
            width: width, limit: limit, used: used, reserved: reserved, threshold: threshold, external: external,
            stepsPerCell: glyphs.stepsPerCell)
        let role = level.role
        for column in 0..<geometry.width {
            let cell: Cell
            switch geometry.part(at: column) {
            case .used(let steps):
                cell = Cell(glyphs.horizontalEighths[steps - 1], style: CellStyle(role))
            case .external:
                cell = Cell(glyphs.external, style: CellStyle(.muted, bold: true))
            case .reserved:
                cell = Cell(glyphs.reserved, style: CellStyle(role))
            case .empty:
                cell = Cell(glyphs.empty, style: CellStyle(.muted, dim: true))
            case .marker(let over):
                cell = Cell(glyphs.marker, style: CellStyle(.accent, bold: true, reverse: over))
            }
            canvas[x + column, y] = cell
        }
    }
}

extension String {
    /// The string padded with spaces on the right to `width` characters.
    func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }

    /// The string padded with spaces on the left to `width` characters.
    func leftPadding(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
