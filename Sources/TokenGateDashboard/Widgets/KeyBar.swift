/// The bottom row: keys in reverse video with what they do, and a short notice on the right.
public struct KeyBar: Sendable {
    public var paused: Bool
    public var sort: WorkerSort
    public var notice: String?
    /// With several pools, the selected one (`all` when none): the bar then shows `Tab Pool:NAME`.
    public var pool: String?

    public init(paused: Bool, sort: WorkerSort, notice: String?, pool: String? = nil) {
        self.paused = paused
        self.sort = sort
        self.notice = notice
        self.pool = pool
    }

    /// The key and label pairs, in order.
    public func items(glyphs: Glyphs) -> [(key: String, label: String)] {
        (pool.map { [("Tab", "Pool:" + $0)] } ?? []) + [
            ("p", paused ? "Resume" : "Pause"),
            ("+-", "Limit"),
            ("s", "Sort:" + sort.rawValue),
            (glyphs.upDown, "Select"),
            ("?", "Help"),
            ("q", "Quit"),
        ]
    }

    /// Draws the keys on the first row of `rect`, the notice right-aligned.
    public func draw(into canvas: inout Canvas, _ rect: Rect, glyphs: Glyphs) {
        guard rect.height > 0 else { return }
        var spans: [TextSpan] = []
        spans.append(TextSpan(" "))
        for item in items(glyphs: glyphs) {
            spans.append(TextSpan(item.key, CellStyle(.accent, bold: true, reverse: true)))
            spans.append(TextSpan(" " + item.label + "  "))
        }
        let end = canvas.write(spans, x: rect.x, y: rect.y, maxX: rect.maxX)
        if let notice {
            let room = rect.maxX - end - 1
            if room > 4 {
                canvas.write(glyphs.truncate(notice, to: room), in: Rect(x: end, y: rect.y, width: room, height: 1),
                             align: .right, style: CellStyle(.warn, bold: true))
            }
        }
    }
}
