/// The last events, newest first: how long ago (`12s ago`, `now`), a label (PAUSE, 429, LIMIT,
/// JOIN...) and what happened.
public struct EventsPanel: Sendable {
    public var events: [DashboardEvent]
    public var now: Double

    public init(events: [DashboardEvent], now: Double) {
        self.events = events
        self.now = now
    }

    /// Draws as many of the newest events as fit into `rect`.
    public func draw(into canvas: inout Canvas, _ rect: Rect, glyphs: Glyphs) {
        guard rect.height > 0 else { return }
        guard !events.isEmpty else {
            canvas.write("nothing yet", in: Rect(x: rect.x + 1, y: rect.y, width: rect.width - 1, height: 1), style: .muted)
            return
        }
        for (line, event) in events.reversed().prefix(rect.height).enumerated() {
            let age = Format.age(milliseconds: Int64(max(0, now - event.time) * 1000), nowBelowOneSecond: true)
            let ago = age == "now" ? "now" : age + " ago"
            let spans = [
                TextSpan(ago.leftPadding(10) + " ", .muted),
                TextSpan(event.label.padding(6), CellStyle(event.role, bold: true)),
                TextSpan(" " + event.message),
            ]
            canvas.write(truncated(spans, to: rect.width - 1, glyphs: glyphs), x: rect.x, y: rect.y + line, maxX: rect.maxX)
        }
    }
}
