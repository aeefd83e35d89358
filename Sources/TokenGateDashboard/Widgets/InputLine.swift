/// The key bar's place while the cap of a worker is typed (`c`):
/// ` cap crawler-01: 25%_  Enter set  Esc cancel  now none; 0.25, 25% or none` (the cursor in
/// reverse video), and after input that is not a cap, what is accepted instead.
public struct CapEntryLine: Sendable {
    public var entry: CapEntry

    public init(entry: CapEntry) {
        self.entry = entry
    }

    /// Draws the line on the first row of `rect`.
    public func draw(into canvas: inout Canvas, _ rect: Rect, glyphs: Glyphs) {
        guard rect.height > 0 else { return }
        let key = CellStyle(.accent, bold: true, reverse: true)
        var spans = [
            TextSpan(" cap ", CellStyle(.warn, bold: true)), TextSpan(entry.worker, CellStyle(bold: true)),
            TextSpan(": "), TextSpan(entry.text, CellStyle(.warn, bold: true)), TextSpan(" ", CellStyle(reverse: true)),
            TextSpan("  "),
        ]
        if let error = entry.error {
            spans += [TextSpan(error, CellStyle(.bad, bold: true)), TextSpan("  "), TextSpan("Esc", key), TextSpan(" cancel")]
        } else {
            spans += [
                TextSpan("Enter", key), TextSpan(" set  "), TextSpan("Esc", key), TextSpan(" cancel  "),
                TextSpan("now " + (entry.current.map(CapEntry.text(for:)) ?? "none") + "; 0.25, 25% or none", .muted),
            ]
        }
        canvas.write(truncated(spans, to: rect.width, glyphs: glyphs), x: rect.x, y: rect.y, maxX: rect.maxX)
    }
}

/// The key bar's place while the worker table's filter is typed (`/`):
/// ` filter /eval_  Enter keep  Esc clear  3 of 8 workers` (the cursor in reverse video).
public struct FilterLine: Sendable {
    public var filter: String
    /// Rows the filter keeps, and workers in all.
    public var shown: Int
    public var total: Int

    public init(filter: String, shown: Int, total: Int) {
        self.filter = filter
        self.shown = shown
        self.total = total
    }

    /// Draws the line on the first row of `rect`.
    public func draw(into canvas: inout Canvas, _ rect: Rect, glyphs: Glyphs) {
        guard rect.height > 0 else { return }
        let key = CellStyle(.accent, bold: true, reverse: true)
        let spans = [
            TextSpan(" filter ", CellStyle(.warn, bold: true)), TextSpan("/", .muted),
            TextSpan(filter, CellStyle(.warn, bold: true)), TextSpan(" ", CellStyle(reverse: true)), TextSpan("  "),
            TextSpan("Enter", key), TextSpan(" keep  "), TextSpan("Esc", key), TextSpan(" clear  "),
            TextSpan("\(shown) of \(total) workers", CellStyle(shown == 0 ? .bad : .muted)),
        ]
        canvas.write(truncated(spans, to: rect.width, glyphs: glyphs), x: rect.x, y: rect.y, maxX: rect.maxX)
    }
}
