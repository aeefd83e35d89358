/// Window usage over the last minutes: one column per few seconds, bars in eighth-cell steps, the
/// threshold drawn across, the scale on the left and the time span on the bottom border.
public struct Chart: Sendable {
    public var history: UsageHistory
    public var limit: Int64
    public var threshold: Double
    public var now: Double

    public init(history: UsageHistory, limit: Int64, threshold: Double, now: Double) {
        self.history = history
        self.limit = limit
        self.threshold = threshold
        self.now = now
    }

    /// Columns taken by the scale on the left.
    static let axisWidth = 8
    /// The chart shows at least this much history.
    static let minimumSpanSeconds = 300
    static let columnSpans = [1, 2, 3, 5, 10, 15, 20, 30, 60, 120]

    /// The seconds per column that show at least five minutes across `columns` columns.
    public static func secondsPerColumn(columns: Int) -> Int {
        let columns = max(1, columns)
        return columnSpans.first { $0 * columns >= minimumSpanSeconds } ?? columnSpans.last!
    }

    /// How many steps (eighths of a row, or rows in ASCII) `value` fills of `rows` rows scaled to `top`.
    public static func steps(for value: Int64, top: Int64, rows: Int, stepsPerCell: Int) -> Int {
        guard top > 0, value > 0 else { return 0 }
        let total = rows * stepsPerCell
        let steps = Int((Double(value) / Double(top) * Double(total)).rounded())
        return min(total, max(1, steps))
    }

    /// The row (0 at the top) that shows `value` on a chart of `rows` rows scaled to `top`.
    public static func row(for value: Int64, top: Int64, rows: Int) -> Int {
        guard top > 0, rows > 0 else { return max(0, rows - 1) }
        let fromBottom = Int((Double(value) / Double(top) * Double(rows) + 1e-9).rounded(.down))
        return rows - 1 - min(rows - 1, max(0, fromBottom))
    }

    /// The value at the top of the plot: the peak, but at least high enough that the threshold sits
    /// at the bottom of the top row, so the row above the threshold shows what crosses it.
    public static func scaleTop(peak: Int64, ceiling: Int64, rows: Int) -> Int64 {
        let headroom = rows > 1 ? (ceiling * Int64(rows) + Int64(rows) - 2) / Int64(rows - 1) : ceiling
        return max(1, peak, headroom)
    }

    /// The smallest round value (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten) at or
    /// above `scaleTop(...)`
    /// whose threshold row is below the top row when the plot has three rows or more, so the top
    /// row always carries a round scale label (150k for a 150k limit, not 147.3k).
    public static func roundTop(peak: Int64, ceiling: Int64, rows: Int) -> Int64 {
        var candidate = roundUp(scaleTop(peak: peak, ceiling: ceiling, rows: rows))
        for _ in 0..<8 where rows >= 3 && row(for: ceiling, top: candidate, rows: rows) == 0 {
            candidate = roundUp(candidate + 1)
        }
        return candidate
    }

    /// `value` rounded up to 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten.
    public static func roundUp(_ value: Int64) -> Int64 {
        guard value > 1 else { return 1 }
        var magnitude: Int64 = 1
        while magnitude <= value / 10 { magnitude *= 10 }
        for factor in [10, 12, 15, 20, 25, 30, 40, 50, 60, 80, 100] {
            let (product, overflow) = magnitude.multipliedReportingOverflow(by: Int64(factor))
            if overflow { return value }
            let candidate = product / 10
            if candidate >= value { return candidate }
        }
        return value
    }

    /// The total span shown for a plot `columns` wide, for the bottom border.
    public static func spanSeconds(columns: Int) -> Int {
        secondsPerColumn(columns: columns) * max(1, columns)
    }

    /// Draws the plot and its scale inside `rect` (the box's interior).
    public func draw(into canvas: inout Canvas, _ rect: Rect, glyphs: Glyphs) {
        guard rect.width > Chart.axisWidth + 2, rect.height >= 2 else { return }
        let plot = Rect(x: rect.x + Chart.axisWidth, y: rect.y, width: rect.width - Chart.axisWidth, height: rect.height)
        let span = Chart.secondsPerColumn(columns: plot.width)
        let columns = history.columns(count: plot.width, secondsPerColumn: span, now: now)
        let peak = columns.compactMap { $0?.used }.max() ?? 0
        let ceiling = Int64((Double(limit) * threshold).rounded())
        let top = Chart.roundTop(peak: peak, ceiling: ceiling, rows: plot.height)
        let thresholdRow = Chart.row(for: ceiling, top: top, rows: plot.height)
        let steps = glyphs.stepsPerCell

        for row in 0..<plot.height where row == thresholdRow {
            for x in 0..<plot.width {
                canvas.put(glyphs.thresholdLine, x: plot.x + x, y: plot.y + row, style: CellStyle(.accent))
            }
        }
        for (index, column) in columns.enumerated() {
            guard let column else { continue }
            let filled = Chart.steps(for: column.used, top: top, rows: plot.height, stepsPerCell: steps)
            guard filled > 0 else { continue }
            let level = UsageLevel(value: column.used, limit: limit, threshold: threshold)
            for row in 0..<plot.height {
                let rowBottomStep = (plot.height - 1 - row) * steps
                let inRow = min(steps, filled - rowBottomStep)
                guard inRow > 0 else { continue }
                canvas.put(
                    glyphs.verticalEighths[inRow - 1], x: plot.x + index, y: plot.y + row,
                    style: CellStyle(level.role, bold: row == thresholdRow))
            }
        }

        let axisStyle = CellStyle(.muted)
        let axis = Rect(x: rect.x, y: rect.y, width: Chart.axisWidth - 1, height: rect.height)
        if thresholdRow != 0 {
            canvas.write(Format.tokens(top), in: axis, row: 0, align: .right, style: axisStyle)
        }
        canvas.write(
            Format.percent(threshold) + " " + String(Character(glyphs.thresholdLine)), in: Rect(
                x: axis.x, y: axis.y, width: axis.width + 1, height: axis.height),
            row: thresholdRow, align: .right, style: CellStyle(.accent, bold: true))
        if thresholdRow != plot.height - 1 {
            canvas.write("0", in: axis, row: plot.height - 1, align: .right, style: axisStyle)
        }
        // Half the scale, when there is a free row for it (round, as the top is).
        let middle = Chart.row(for: top / 2, top: top, rows: plot.height)
        if plot.height >= 5, middle != thresholdRow, middle > 0, middle < plot.height - 1 {
            canvas.write(Format.tokens(top / 2), in: axis, row: middle, align: .right, style: axisStyle)
        }
    }
}
