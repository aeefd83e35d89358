/// The bottom row: keys in reverse video with what they do, and a short notice on the right. When
/// the keys do not all fit, they close up to one space apart, then the least needed go first
/// (Select, Sort, Limit, Filter, Cap...), so `? Help` and `q Quit` always show.
public struct KeyBar: Sendable {
    public var paused: Bool
    public var sort: WorkerSort
    public var notice: String?
    /// With several pools, the selected one (`all` when none): the bar then shows `Tab Pool:NAME`.
    public var pool: String?
    /// The selected worker is paused: `x` offers to resume it.
    public var workerPaused = false
    /// The detail pane shows: Enter offers to close it.
    public var detailShown = false
    /// `x` and `c` (a worker's pause and cap) are offered: not with `serve --redis`, where they
    /// are not shared yet.
    public var workerControls = true

    public init(paused: Bool, sort: WorkerSort, notice: String?, pool: String? = nil) {
        self.paused = paused
        self.sort = sort
        self.notice = notice
        self.pool = pool
    }

    /// One key and its label; a higher `keep` stays longer when room is short.
    public struct Item: Sendable, Equatable {
        public var key: String
        public var label: String
        var keep: Int
    }

    /// The key and label pairs, in order.
    public func items(glyphs: Glyphs) -> [(key: String, label: String)] {
        allItems(glyphs: glyphs).map { ($0.key, $0.label) }
    }

    func allItems(glyphs: Glyphs) -> [Item] {
        var items: [Item] = pool.map { [Item(key: "Tab", label: "Pool:" + $0, keep: 8)] } ?? []
        items += [
            Item(key: "p", label: paused ? "Resume" : "Pause", keep: 9),
            Item(key: "x", label: workerPaused ? "Resume worker" : "Pause worker", keep: 7),
            Item(key: "Enter", label: detailShown ? "Close" : "Detail", keep: 6),
            Item(key: "c", label: "Cap", keep: 5),
        ].filter { workerControls || ($0.key != "x" && $0.key != "c") }
        items += [
            Item(key: "/", label: "Filter", keep: 4),
            Item(key: "+-", label: "Limit", keep: 3),
            Item(key: "s", label: "Sort:" + sort.rawValue, keep: 2),
            Item(key: glyphs.upDown, label: "Select", keep: 1),
            Item(key: "?", label: "Help", keep: 10),
            Item(key: "q", label: "Quit", keep: 10),
        ]
        return items
    }

    /// The items that fit in `width` columns, in order, and the spaces after each: two when all
    /// fit so, else one, and then the ones with the lowest `keep` are left out until the rest fit.
    func fitting(width: Int, glyphs: Glyphs) -> (items: [Item], spacing: Int) {
        var items = allItems(glyphs: glyphs)
        func columns(_ items: [Item], spacing: Int) -> Int {
            1 + items.reduce(0) { $0 + Canvas.columns($1.key) + 1 + Canvas.columns($1.label) + spacing }
        }
        if columns(items, spacing: 2) <= width { return (items, 2) }
        while columns(items, spacing: 1) > width, items.count > 1,
              let drop = items.indices.min(by: { items[$0].keep < items[$1].keep }) {
            items.remove(at: drop)
        }
        return (items, 1)
    }

    /// The keys that fit in `width` columns, in order.
    public func fittingKeys(width: Int, glyphs: Glyphs = .unicode) -> [String] {
        fitting(width: width, glyphs: glyphs).items.map(\.key)
    }

    /// Draws the keys on the first row of `rect`, the notice right-aligned.
    public func draw(into canvas: inout Canvas, _ rect: Rect, glyphs: Glyphs) {
        guard rect.height > 0 else { return }
        // A notice gets up to 32 columns; the keys that do not fit beside it wait until it goes.
        let noticeRoom = notice.map { min(32, Canvas.columns($0) + 2) } ?? 0
        var spans: [TextSpan] = []
        spans.append(TextSpan(" "))
        let (items, spacing) = fitting(width: rect.width - noticeRoom, glyphs: glyphs)
        for item in items {
            spans.append(TextSpan(item.key, CellStyle(.accent, bold: true, reverse: true)))
            spans.append(TextSpan(" " + item.label + String(repeating: " ", count: spacing)))
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
