import TokenGateCore
import TokenGateWire

/// The selected worker's detail pane (Enter), in place of the chart and the queue: its usage over
/// the window as a sparkline (sampled since the dashboard attached), tokens per minute, mean cost
/// per request, its cap, then its tickets in flight with their ages and its queued acquires with
/// their priorities, side by side.
public struct WorkerDetail: Sendable {
    public var worker: WorkerStatus
    public var status: Status?
    /// The worker's `used` per second (``DashboardModel/workerHistories``); `nil` before a sample.
    public var history: UsageHistory?
    public var now: Double
    /// Seconds since the snapshot arrived, added to the ages it reports.
    public var snapshotAge: Double

    public init(worker: WorkerStatus, status: Status?, history: UsageHistory?, now: Double, snapshotAge: Double) {
        self.worker = worker
        self.status = status
        self.history = history
        self.now = now
        self.snapshotAge = snapshotAge
    }

    var windowMs: Int64 { max(1, status?.windowMs ?? 60_000) }

    /// Tokens per minute over the window: its `used` spread over the window's minutes.
    public var tokensPerMinute: Int64 {
        Int64((Double(max(0, worker.used)) * 60_000 / Double(windowMs)).rounded())
    }

    /// Mean tokens per request in the window; `nil` without requests.
    public var meanCost: Int64? {
        worker.requests > 0 ? Int64((Double(max(0, worker.used)) / Double(worker.requests)).rounded()) : nil
    }

    /// The line of figures under the sparkline.
    func figures() -> [TextSpan] {
        let label = CellStyle(.muted)
        var spans = [
            TextSpan("tokens/min ", label), TextSpan(Format.tokens(tokensPerMinute), CellStyle(bold: true)),
            TextSpan("  mean ", label),
            TextSpan(meanCost.map { Format.tokens($0) + "/req" } ?? "-", CellStyle(bold: true)),
            TextSpan("  cap ", label),
        ]
        if let cap = worker.cap {
            spans.append(TextSpan(CapEntry.text(for: cap), CellStyle(.accent, bold: true)))
            if let limit = status?.limit {
                spans.append(TextSpan(" = " + Format.tokens(Int64((Double(limit) * cap).rounded())), CellStyle(.accent)))
            }
        } else {
            spans.append(TextSpan(worker.paused == nil ? "n/a" : "none"))
        }
        spans += [
            TextSpan("  used ", label), TextSpan(Format.tokens(worker.used)),
            TextSpan("  req ", label), TextSpan(Format.tokens(worker.requests)),
        ]
        return spans
    }

    /// The tickets column, `rows` lines at most: a heading, then one line per ticket, oldest first.
    func ticketLines(rows: Int) -> [[TextSpan]] {
        guard rows > 0 else { return [] }
        var lines = [[TextSpan("Tickets in flight ", .title), TextSpan(String(worker.inFlight), CellStyle(bold: true))]]
        // The daemon leaves an empty list out; without one while tickets are out, it lists none.
        guard let tickets = worker.tickets ?? (worker.inFlight == 0 ? [] : nil) else {
            if let oldest = worker.oldestGrantMs {
                lines.append([TextSpan("oldest ", .muted), TextSpan(age(oldest))])
            }
            return Array(lines.prefix(rows))
        }
        if tickets.isEmpty { lines.append([TextSpan("none", .muted)]) }
        let entries = tickets.map { ticket in
            let stale = ticket.ageMs > windowMs
            return [
                TextSpan(age(ticket.ageMs).leftPadding(6), CellStyle(stale ? .bad : .normal, bold: stale)),
                TextSpan(stale ? "!" : " ", CellStyle(.bad, bold: true)),
                TextSpan(Format.tokens(ticket.reserved).leftPadding(6)),
                TextSpan("  " + ticket.pool, .muted), TextSpan("  " + ticket.ticket, .muted),
            ]
        }
        lines += WorkerDetail.list(entries, total: worker.inFlight, rows: rows - 1)
        return lines
    }

    /// The waiters column, `rows` lines at most: a heading, then one line per queued acquire in
    /// queue order.
    func waiterLines(rows: Int) -> [[TextSpan]] {
        guard rows > 0 else { return [] }
        var heading = [TextSpan("Waiting ", .title), TextSpan(String(worker.waiting), CellStyle(bold: true))]
        if worker.paused == true, worker.waiting > 0 { heading.append(TextSpan("  passed over (paused)", CellStyle(.warn))) }
        var lines = [heading]
        guard let waiters = worker.waiters ?? (worker.waiting == 0 ? [] : nil) else { return lines }
        if waiters.isEmpty { lines.append([TextSpan("none", .muted)]) }
        let entries = waiters.map { waiter in
            [
                TextSpan(waiter.priority.rawValue.padding(7), WorkerDetail.style(of: waiter.priority)),
                TextSpan(Format.tokens(waiter.estimate).leftPadding(6)),
                TextSpan("  waited ", .muted), TextSpan(age(waiter.waitedMs).padding(6)),
                TextSpan(" " + waiter.pool, .muted),
            ]
        }
        lines += WorkerDetail.list(entries, total: worker.waiting, rows: rows - 1)
        return lines
    }

    /// `entries` in at most `rows` lines, the last one `+N more` when not all of `total` (the
    /// entries and those the daemon did not list) fit.
    static func list(_ entries: [[TextSpan]], total: Int, rows: Int) -> [[TextSpan]] {
        guard rows > 0 else { return [] }
        let total = max(total, entries.count)
        if total <= rows {
            let more = total - entries.count
            return entries + (more > 0 ? [[TextSpan("+\(more) more", .muted)]] : [])
        }
        let shown = rows - 1
        return Array(entries.prefix(shown)) + [[TextSpan("+\(total - shown) more", .muted)]]
    }

    /// How a priority reads: high stands out, low is muted.
    static func style(of priority: Priority) -> CellStyle {
        switch priority {
        case .high: CellStyle(.accent, bold: true)
        case .normal: CellStyle(.normal)
        case .low: CellStyle(.muted)
        }
    }

    func age(_ ms: Int64) -> String {
        Format.age(milliseconds: ms + Int64((snapshotAge * 1000).rounded(.down)), nowBelowOneSecond: false)
    }

    /// How many rows the sparkline takes in an interior `height` rows high.
    static func sparklineRows(interiorHeight height: Int) -> Int { max(1, min(4, (height - 2) / 2)) }

    /// Draws the pane as a box filling `rect`.
    public func draw(into canvas: inout Canvas, _ rect: Rect, glyphs: Glyphs) {
        canvas.fill(rect)
        var title = [TextSpan("Worker ", .title), TextSpan(worker.worker, CellStyle(bold: true))]
        title += WorkerTable.tags(for: worker)
        if !worker.connected { title.append(TextSpan(" gone", .muted)) }
        let span = Int(windowMs / 1000)
        let inner = Box.draw(
            into: &canvas, rect, title: title, rightTitle: [TextSpan("Enter/Esc close", .muted)],
            bottomLeft: [TextSpan("usage over the last " + Format.window(milliseconds: windowMs) + ", sampled since attach", .muted)],
            glyphs: glyphs)
        guard inner.height > 0, inner.width > 20 else { return }
        let sparkRows = WorkerDetail.sparklineRows(interiorHeight: inner.height)
        let axisWidth = Chart.axisWidth
        let plot = Rect(x: inner.x + axisWidth, y: inner.y, width: inner.width - axisWidth - 1, height: sparkRows)
        let sparkline = Sparkline(history: history ?? UsageHistory(seconds: 1), spanSeconds: span, now: now)
        sparkline.draw(into: &canvas, plot, glyphs: glyphs)
        let axis = Rect(x: inner.x, y: inner.y, width: axisWidth - 1, height: sparkRows)
        canvas.write(Format.tokens(sparkline.peak(width: plot.width)), in: axis, row: 0, align: .right, style: .muted)
        if sparkRows > 1 { canvas.write("0", in: axis, row: sparkRows - 1, align: .right, style: .muted) }

        var y = inner.y + sparkRows
        guard y < inner.maxY else { return }
        canvas.write(truncated(figures(), to: inner.width - 1, glyphs: glyphs), x: inner.x + 1, y: y, maxX: inner.maxX)
        y += 1
        let rows = inner.maxY - y
        guard rows > 0 else { return }
        let half = inner.width / 2
        for (index, line) in ticketLines(rows: rows).enumerated() {
            canvas.write(truncated(line, to: half - 2, glyphs: glyphs), x: inner.x + 1, y: y + index, maxX: inner.x + half - 1)
        }
        for (index, line) in waiterLines(rows: rows).enumerated() {
            canvas.write(truncated(line, to: inner.width - half - 1, glyphs: glyphs), x: inner.x + half, y: y + index, maxX: inner.maxX)
        }
    }
}
