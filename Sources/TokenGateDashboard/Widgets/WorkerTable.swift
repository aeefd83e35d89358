import TokenGateWire

/// The workers table: name, used in the window, share with a small bar, requests, in flight,
/// queued acquires, the age of the oldest grant in flight (marked when older than a window), last
/// seen; after the name, `PAUSED` when an operator paused the worker and `cap 25%` when it is
/// capped (the name is cut short first when room is short). Sorted by the UI state, scrolled so the selected row shows, with a scroll bar on the box's
/// right border. Columns are as wide as their headers (with room for the sort arrow) and content;
/// the name column as wide as the longest name, what is left over stays blank.
public struct WorkerTable: Sendable {
    /// The workers in display order.
    public var rows: [WorkerStatus]
    public var sort: WorkerSort
    public var selectedIndex: Int?
    public var scrollOffset: Int
    /// The window's length: an oldest grant older than this is marked. 0 marks nothing.
    public var windowMs: Int64
    /// What the table says when it has no rows.
    public var emptyText = "no workers yet"
    /// Whether a HOST column follows the name (the daemon shares its limit with other hosts).
    public var showsHost = false

    public init(rows: [WorkerStatus], sort: WorkerSort, selectedIndex: Int?, scrollOffset: Int, windowMs: Int64 = 0) {
        self.rows = rows
        self.sort = sort
        self.selectedIndex = selectedIndex
        self.scrollOffset = scrollOffset
        self.windowMs = windowMs
    }

    /// Column widths: each fits its header, a sort arrow and its widest value.
    static let usedWidth = 6
    static let percentWidth = 5
    static let minShareBar = 4
    static let maxShareBar = 20
    static let requestsWidth = 6
    static let flightWidth = 7
    static let queuedWidth = 7
    static let oldestWidth = 7
    static let seenWidth = 6
    static let gap = 2
    static let minNameWidth = 10
    /// The mark after an oldest grant older than the window.
    static let staleMark = "!"
    /// The name keeps at least this many columns beside its tags.
    static let minNameShown = 5
    /// The HOST column's width bounds (longer host names are cut).
    static let minHostWidth = 4
    static let maxHostWidth = 10

    /// The marks after a worker's name: `PAUSED`, `cap 25%` (each after a space); none for a
    /// worker that is neither paused nor capped.
    public static func tags(for worker: WorkerStatus) -> [TextSpan] {
        tagVariants(for: worker).first ?? []
    }

    /// The marks from the fullest to the shortest: both, then `PAUSED` alone (the cap shows in the
    /// detail pane); empty when there are none.
    static func tagVariants(for worker: WorkerStatus) -> [[TextSpan]] {
        let paused = worker.paused == true ? [TextSpan(" "), TextSpan("PAUSED", CellStyle(.warn, bold: true))] : []
        let cap = worker.cap.map { [TextSpan(" "), TextSpan("cap " + CapEntry.text(for: $0), CellStyle(.accent))] } ?? []
        if paused.isEmpty, cap.isEmpty { return [] }
        return paused.isEmpty || cap.isEmpty ? [paused + cap] : [paused + cap, paused]
    }

    /// The marks that leave `name` at least ``minNameShown`` columns (or all of it when shorter)
    /// in a column `width` wide: the fullest that does, else the shortest.
    static func tags(for worker: WorkerStatus, width: Int) -> [TextSpan] {
        let variants = tagVariants(for: worker)
        let keep = min(worker.worker.count, minNameShown)
        return variants.first { width - $0.columns >= keep } ?? variants.last ?? []
    }

    /// Rows of data that fit in an interior `height` rows high (one row is the column header).
    public static func visibleRows(interiorHeight height: Int) -> Int { max(0, height - 1) }

    struct Columns {
        var name: Int
        var shareBar: Int
        /// The HOST column's width; 0 without it.
        var host = 0
        /// Whether OLDEST shows: it gives its room to HOST when the table is too narrow for both.
        var oldest = true
    }

    /// The widths for a table `width` wide showing names up to `longestName` characters: the name
    /// column fits the longest name (at least `minNameWidth`, shrinking to it when room is short),
    /// the share bar takes what is left up to `maxShareBar`.
    /// Names with their marks (``tags(for:)``) up to `longestTagged` columns widen the name column
    /// too, into the share bar's room down to nothing if need be (the percentage stays).
    /// With a `longestHost` above 0 a HOST column as wide (within ``minHostWidth`` and
    /// ``maxHostWidth``) follows the name, OLDEST left out when the name would fall below its minimum.
    static func columns(width: Int, longestName: Int = minNameWidth, longestTagged: Int = 0, longestHost: Int = 0) -> Columns {
        var fixed = 1 + 2 + usedWidth + percentWidth + 1 + requestsWidth + flightWidth + queuedWidth + oldestWidth
            + seenWidth + 7 * gap
        let host = longestHost > 0 ? min(maxHostWidth, max(minHostWidth, longestHost)) : 0
        var oldest = true
        if host > 0 {
            fixed += host + gap
            if width - fixed - minShareBar < minNameWidth {
                fixed -= oldestWidth + gap
                oldest = false
            }
        }
        let room = max(minNameWidth, width - fixed - minShareBar)
        var name = min(room, max(minNameWidth, longestName, longestTagged))
        var bar = min(maxShareBar, max(minShareBar, width - fixed - name))
        if longestTagged > name {
            let taken = min(longestTagged - name, max(0, min(bar, width - fixed - name)))
            name += taken
            bar -= taken
        }
        return Columns(name: name, shareBar: bar, host: host, oldest: oldest)
    }

    /// Draws the header and the visible rows into `rect` (the box's interior), and the scroll bar on
    /// the border column just right of it.
    public func draw(into canvas: inout Canvas, _ rect: Rect, glyphs: Glyphs) {
        guard rect.height >= 1, rect.width >= 20 else { return }
        let longest = rows.map(\.worker.count).max() ?? 0
        let longestTagged = rows.map { $0.worker.count + WorkerTable.tags(for: $0).columns }.max() ?? 0
        let longestHost = showsHost ? max(4, rows.map { ($0.host ?? "-").count }.max() ?? 0) : 0
        let columns = WorkerTable.columns(
            width: rect.width, longestName: longest, longestTagged: longestTagged, longestHost: longestHost)
        drawHeader(into: &canvas, rect.row(0), columns: columns, glyphs: glyphs)
        let body = Rect(x: rect.x, y: rect.y + 1, width: rect.width, height: rect.height - 1)
        guard !rows.isEmpty else {
            canvas.write(emptyText, x: body.x + 1, y: body.y, style: .muted, maxWidth: body.width - 1)
            return
        }
        let total = rows.reduce(Int64(0)) { $0 + max(0, $1.used) }
        let offset = min(max(0, scrollOffset), max(0, rows.count - body.height))
        for line in 0..<body.height {
            let index = offset + line
            guard index < rows.count else { break }
            drawRow(
                rows[index], into: &canvas, body.row(line), columns: columns, total: total,
                selected: index == selectedIndex, glyphs: glyphs)
        }
        drawScrollBar(into: &canvas, x: rect.maxX, body: body, offset: offset, glyphs: glyphs)
    }

    func drawHeader(into canvas: inout Canvas, _ row: Rect, columns: Columns, glyphs: Glyphs) {
        let style = CellStyle(.normal, bold: true)
        let sortStyle = CellStyle(.accent, bold: true)
        let arrow = String(Character(sort.isAscending ? glyphs.sortAscending : glyphs.sortDescending))
        var x = row.x + 1
        func cell(_ title: String, _ width: Int, _ key: WorkerSort?, right: Bool) {
            let sorted = key == sort
            let text = sorted ? (right ? arrow + title : title + arrow) : title
            let padded = right ? text.leftPadding(width) : text.padding(width)
            canvas.write(padded, x: x, y: row.y, style: sorted ? sortStyle : style, maxWidth: width)
            x += width + WorkerTable.gap
        }
        cell("WORKER", 2 + columns.name, .name, right: false)
        if columns.host > 0 { cell("HOST", columns.host, nil, right: false) }
        cell("USED", WorkerTable.usedWidth, .used, right: true)
        cell("SHARE", WorkerTable.percentWidth + 1 + columns.shareBar, nil, right: false)
        cell("REQ", WorkerTable.requestsWidth, .requests, right: true)
        cell("FLIGHT", WorkerTable.flightWidth, .inFlight, right: true)
        cell("QUEUED", WorkerTable.queuedWidth, .waiting, right: true)
        if columns.oldest { cell("OLDEST", WorkerTable.oldestWidth, nil, right: true) }
        cell("SEEN", WorkerTable.seenWidth, .lastSeen, right: true)
    }

    func drawRow(
        _ worker: WorkerStatus, into canvas: inout Canvas, _ row: Rect, columns: Columns, total: Int64,
        selected: Bool, glyphs: Glyphs
    ) {
        let base = CellStyle(worker.connected ? .normal : .muted)
        var x = row.x + 1
        canvas.put(
            worker.connected ? glyphs.connected : glyphs.disconnected, x: x, y: row.y,
            style: CellStyle(worker.connected ? .good : .muted))
        x += 2
        let tags = WorkerTable.tags(for: worker, width: columns.name)
        let nameRoom = max(min(columns.name, WorkerTable.minNameShown), columns.name - tags.columns)
        let nameEnd = x + canvas.write(glyphs.truncate(worker.worker, to: nameRoom), x: x, y: row.y, style: base)
        canvas.write(tags, x: nameEnd, y: row.y, maxX: x + columns.name)
        x += columns.name + WorkerTable.gap
        if columns.host > 0 {
            canvas.write(glyphs.truncate(worker.host ?? "-", to: columns.host), x: x, y: row.y, style: CellStyle(.accent))
            x += columns.host + WorkerTable.gap
        }

        canvas.write(Format.tokens(worker.used).leftPadding(WorkerTable.usedWidth), x: x, y: row.y, style: base)
        x += WorkerTable.usedWidth + WorkerTable.gap

        let share = total > 0 ? Double(max(0, worker.used)) / Double(total) : 0
        canvas.write(Format.share(share).leftPadding(WorkerTable.percentWidth), x: x, y: row.y, style: base)
        x += WorkerTable.percentWidth + 1
        drawShareBar(share, into: &canvas, x: x, y: row.y, width: columns.shareBar, glyphs: glyphs)
        x += columns.shareBar + WorkerTable.gap

        func number(_ value: String, _ width: Int, _ style: CellStyle = base) {
            canvas.write(value.leftPadding(width), x: x, y: row.y, style: style)
            x += width + WorkerTable.gap
        }
        number(Format.tokens(worker.requests), WorkerTable.requestsWidth)
        number(String(worker.inFlight), WorkerTable.flightWidth)
        number(String(worker.waiting), WorkerTable.queuedWidth, worker.waiting > 0 ? CellStyle(.warn, bold: true) : base)
        if columns.oldest, let oldest = worker.oldestGrantMs {
            let stale = windowMs > 0 && oldest > windowMs
            let text = Format.age(milliseconds: oldest, nowBelowOneSecond: false) + (stale ? WorkerTable.staleMark : " ")
            number(text, WorkerTable.oldestWidth, stale ? CellStyle(.bad, bold: true) : base)
        } else if columns.oldest {
            number("- ", WorkerTable.oldestWidth, CellStyle(.muted))
        }
        let seen = worker.connected ? Format.age(milliseconds: worker.lastSeenMsAgo) : "gone"
        number(seen, WorkerTable.seenWidth, CellStyle(.muted))

        if selected {
            canvas.restyle(row) { style in
                style.reverse = true
                style.bold = true
            }
        }
    }

    func drawShareBar(_ share: Double, into canvas: inout Canvas, x: Int, y: Int, width: Int, glyphs: Glyphs) {
        let steps = glyphs.stepsPerCell
        var filled = Int((share * Double(width * steps)).rounded())
        if share > 0 { filled = max(1, filled) }
        for column in 0..<width {
            let inCell = min(steps, filled - column * steps)
            if inCell > 0 {
                canvas.put(glyphs.horizontalEighths[inCell - 1], x: x + column, y: y, style: .accent)
            } else {
                canvas.put(glyphs.empty, x: x + column, y: y, style: CellStyle(.muted, dim: true))
            }
        }
    }

    func drawScrollBar(into canvas: inout Canvas, x: Int, body: Rect, offset: Int, glyphs: Glyphs) {
        let visible = body.height
        guard rows.count > visible, visible > 0 else { return }
        let thumb = max(1, visible * visible / rows.count)
        let range = rows.count - visible
        let position = range > 0 ? (offset * (visible - thumb) + range / 2) / range : 0
        for line in position..<min(visible, position + thumb) {
            canvas.put(glyphs.scrollThumb, x: x, y: body.y + line, style: .accent)
        }
    }
}
