/// A worker's usage over the window, a few rows high: one column per second or few seconds, bars in
/// eighth-cell steps scaled to the peak, the newest column on the right. Seconds before the first
/// sample (before the dashboard attached) stay blank, a gap between samples holds the one before
/// it (the figure is a window's usage, which moves smoothly); nothing used shows a faint baseline.
public struct Sparkline: Sendable {
    public var history: UsageHistory
    /// The span to show, usually the window.
    public var spanSeconds: Int
    public var now: Double

    public init(history: UsageHistory, spanSeconds: Int, now: Double) {
        self.history = history
        self.spanSeconds = max(1, spanSeconds)
        self.now = now
    }

    /// Seconds per column to show the span in at most `columns` columns.
    public static func secondsPerColumn(span: Int, columns: Int) -> Int {
        let columns = max(1, columns)
        return max(1, (span + columns - 1) / columns)
    }

    /// The columns drawn in a plot `width` wide, oldest first.
    public func columns(width: Int) -> [UsageHistory.Column?] {
        let perColumn = Sparkline.secondsPerColumn(span: spanSeconds, columns: width)
        let count = min(max(1, width), (spanSeconds + perColumn - 1) / perColumn)
        var columns = history.columns(count: count, secondsPerColumn: perColumn, now: now)
        var previous: UsageHistory.Column?
        for index in columns.indices {
            if columns[index] == nil { columns[index] = previous } else { previous = columns[index] }
        }
        return columns
    }

    /// The highest `used` shown in a plot `width` wide (0 with no data).
    public func peak(width: Int) -> Int64 {
        columns(width: width).compactMap { $0?.used }.max() ?? 0
    }

    /// Draws the bars into `rect`, right-aligned.
    public func draw(into canvas: inout Canvas, _ rect: Rect, glyphs: Glyphs) {
        guard rect.width > 0, rect.height > 0 else { return }
        let columns = self.columns(width: rect.width)
        let top = max(1, columns.compactMap { $0?.used }.max() ?? 0)
        let steps = glyphs.stepsPerCell
        let left = rect.maxX - columns.count
        for (index, column) in columns.enumerated() {
            guard let column else { continue }
            let filled = Chart.steps(for: column.used, top: top, rows: rect.height, stepsPerCell: steps)
            if filled == 0 {
                canvas.put(glyphs.verticalEighths[0], x: left + index, y: rect.maxY - 1, style: CellStyle(.muted, dim: true))
                continue
            }
            for row in 0..<rect.height {
                let inRow = min(steps, filled - (rect.height - 1 - row) * steps)
                guard inRow > 0 else { continue }
                canvas.put(glyphs.verticalEighths[inRow - 1], x: left + index, y: rect.y + row, style: .accent)
            }
        }
    }
}
