import TokenGateWire

/// The whole screen as a pure function of the model, the UI state, the size and the time.
public enum DashboardView {
    /// Renders one frame.
    /// - Parameters:
    ///   - model: what is known about the daemon.
    ///   - ui: sort, selection, scroll, help.
    ///   - size: the terminal size.
    ///   - glyphs: Unicode or ASCII.
    ///   - now: the dashboard's clock, for countdowns, uptime and ages.
    ///   - socketLabel: shown in the header.
    ///   - notice: a short message for the key bar (command feedback).
    ///   - limitProposal: the open confirm line of a limit change, which takes the key bar's place.
    ///   - capEntry: the open input line of a worker's cap, which takes the key bar's place.
    ///   - quitText: what the help says `q` does.
    public static func render(
        model: DashboardModel, ui: DashboardUIState, size: TerminalSize, glyphs: Glyphs, now: Double,
        socketLabel: String = "", notice: String? = nil, limitProposal: LimitProposal? = nil,
        capEntry: CapEntry? = nil, quitText: String = "quit (the daemon keeps running)"
    ) -> Canvas {
        var canvas = Canvas(size: size)
        let budgets = gauges(for: model.status, selectedPool: ui.selectedPool, now: now, snapshotAge: model.snapshotAge(now: now) ?? 0)
        let provider = ProviderRow(status: model.status, order: gauges(for: model.status).map(\.name))
        let rates = RatesRow(status: model.status)
        let gateway = GatewayRow(status: model.status)
        guard let layout = layout(
            budgets: budgets, provider: provider, rates: rates, gateway: gateway, hosts: model.status?.cluster != nil, size: size)
        else {
            TooSmall(size: size, minimum: DashboardLayout.minimumSize).draw(into: &canvas, glyphs: glyphs)
            return canvas
        }

        Header(model: model, socketLabel: socketLabel, now: now).draw(into: &canvas, layout.header, glyphs: glyphs)
        for (index, gauge) in budgets.enumerated() where index < layout.gauges.height {
            gauge.draw(into: &canvas, layout.gauges.row(index).inset(dx: 1, dy: 0), glyphs: glyphs)
        }
        if !provider.isEmpty, budgets.count < layout.gauges.height {
            provider.draw(into: &canvas, layout.gauges.row(budgets.count).inset(dx: 1, dy: 0), glyphs: glyphs)
        }
        let gatewayIndex = budgets.count + (provider.isEmpty ? 0 : 1)
        if !gateway.isEmpty, gatewayIndex < layout.gauges.height {
            gateway.draw(into: &canvas, layout.gauges.row(gatewayIndex).inset(dx: 1, dy: 0), glyphs: glyphs)
        }
        if !rates.isEmpty, layout.gauges.height > 0 {
            rates.draw(into: &canvas, layout.gauges.row(layout.gauges.height - 1).inset(dx: 1, dy: 0), glyphs: glyphs)
        }
        if budgets.isEmpty {
            canvas.write(" no budget yet", in: layout.gauges, style: .muted)
        }

        let rows = tableRows(for: model.status, sort: ui.sort, pool: ui.selectedPool, filter: ui.filter)
        let selected = selectedRow(rows, ui: ui, visibleRows: layout.tableVisibleRows)
        if ui.showDetail, let worker = selected.flatMap({ name in model.status?.workers.first { $0.worker == name } }) {
            let middle = Rect(
                x: layout.chart.x, y: layout.chart.y, width: layout.chart.width + layout.side.width, height: layout.chart.height)
            WorkerDetail(
                worker: worker, status: model.status, history: model.workerHistories[worker.worker], now: now,
                snapshotAge: model.snapshotAge(now: now) ?? 0
            ).draw(into: &canvas, middle, glyphs: glyphs)
        } else {
            drawChart(into: &canvas, layout.chart, model: model, pool: ui.selectedPool, glyphs: glyphs, now: now)
            drawSide(into: &canvas, layout.side, model: model, pool: ui.selectedPool, glyphs: glyphs, now: now)
        }
        drawTable(into: &canvas, layout.table, model: model, ui: ui, rows: rows, glyphs: glyphs)
        if let limitProposal {
            LimitConfirmLine(proposal: limitProposal).draw(into: &canvas, layout.keyBar, glyphs: glyphs)
        } else if let capEntry {
            CapEntryLine(entry: capEntry).draw(into: &canvas, layout.keyBar, glyphs: glyphs)
        } else if ui.editingFilter {
            FilterLine(filter: ui.filter, shown: rows.count, total: model.status?.workers.count ?? 0)
                .draw(into: &canvas, layout.keyBar, glyphs: glyphs)
        } else {
            let pools = !PoolSelection.pools(of: model.status).isEmpty
            let paused = model.status.map { PoolSelection.state(of: ui.selectedPool, in: $0) == .paused } ?? false
            let workerPaused = selected.flatMap { name in model.status?.workers.first { $0.worker == name }?.paused } ?? false
            var bar = KeyBar(paused: paused, sort: ui.sort, notice: notice, pool: pools ? (ui.selectedPool ?? "all") : nil)
            bar.workerPaused = workerPaused
            bar.detailShown = ui.showDetail
            bar.workerControls = model.status?.cluster == nil
            bar.draw(into: &canvas, layout.keyBar, glyphs: glyphs)
        }

        if !model.isConnected, model.status != nil {
            // The last known state stays on screen, dimmed, under the "disconnected" banner.
            let stale = Rect(x: 0, y: layout.gauges.y, width: size.width, height: layout.keyBar.y - layout.gauges.y)
            canvas.restyle(stale) { $0.dim = true }
        }
        if ui.showHelp { HelpOverlay(
                quitText: quitText, pools: !PoolSelection.pools(of: model.status).isEmpty, hosts: model.status?.cluster != nil
            ).draw(into: &canvas, glyphs: glyphs) }
        if !glyphs.isUnicode { canvas.asciiOnly() }
        return canvas
    }

    /// The screen's layout for `status` at `size`: a gauge row per budget, a provider row when the
    /// provider reported on any of them.
    public static func layout(for status: Status?, size: TerminalSize) -> DashboardLayout? {
        let budgets = gauges(for: status)
        let pools = PoolSelection.pools(of: status)
        return layout(
            budgets: pools.isEmpty ? budgets : pools.map { Gauge(name: $0.name, limit: $0.limit, used: 0, reserved: 0, threshold: 1) },
            provider: ProviderRow(status: status, order: budgets.map(\.name)),
            rates: RatesRow(status: status), gateway: GatewayRow(status: status), hosts: status?.cluster != nil, size: size)
    }

    /// With several pools, one gauge per pool (its `tokens` limit, usage, threshold and state, the
    /// selected one's name highlighted); else ``gauges(for:)``.
    public static func gauges(for status: Status?, selectedPool: String?, now: Double, snapshotAge: Double = 0) -> [Gauge] {
        let pools = PoolSelection.pools(of: status)
        guard !pools.isEmpty else { return gauges(for: status) }
        return pools.map { pool in
            var gauge = Gauge(name: pool.name, limit: pool.limit, used: pool.used, reserved: pool.reserved, threshold: pool.threshold)
            gauge.poolState = pool.state
            gauge.cooldownRemainingMs = pool.cooldownRemainingMs.map { max(0, $0 - Int64(snapshotAge * 1000)) }
            gauge.selected = pool.name == selectedPool
            return gauge
        }
    }

    private static func layout(
        budgets: [Gauge], provider: ProviderRow, rates: RatesRow, gateway: GatewayRow, hosts: Bool, size: TerminalSize
    ) -> DashboardLayout? {
        DashboardLayout.make(
            size: size, budgetCount: budgets.count, providerRow: !provider.isEmpty, ratesRow: !rates.isEmpty,
            gatewayRow: !gateway.isEmpty, hostsPanel: hosts
        )
    }

    /// One gauge per configured budget, `tokens` first; from the top-level figures when the daemon
    /// sends no budgets.
    public static func gauges(for status: Status?) -> [Gauge] {
        guard let status else { return [] }
        let order = ["tokens", "input", "output", "requests"]
        var budgets = status.budgets.sorted {
            (order.firstIndex(of: $0.name) ?? order.count, $0.name) < (order.firstIndex(of: $1.name) ?? order.count, $1.name)
        }
        if !budgets.contains(where: { $0.name == "tokens" }) {
            budgets.insert(BudgetStatus(name: "tokens", limit: status.limit, used: status.used, reserved: status.reserved), at: 0)
        }
        var gauges = budgets.prefix(4).map {
            Gauge(
                name: $0.name, limit: $0.limit, used: $0.used, reserved: $0.reserved, threshold: status.threshold,
                external: $0.external ?? 0)
        }
        if gauges.contains(where: { $0.external > 0 }) {
            for index in gauges.indices { gauges[index].showsExternalColumn = true }
        }
        return gauges
    }

    /// The workers in table order, those whose name contains `filter` (all for an empty one).
    public static func tableRows(for status: Status?, sort: WorkerSort, pool: String? = nil, filter: String = "") -> [WorkerStatus] {
        sort.sorted(WorkerFilter.apply(filter, to: PoolSelection.workers(status, in: pool)))
    }

    /// The selected worker's name among `rows`, as the table shows it.
    static func selectedRow(_ rows: [WorkerStatus], ui: DashboardUIState, visibleRows: Int) -> String? {
        guard !rows.isEmpty else { return nil }
        var state = ui
        state.reconcile(rows: rows.map(\.worker), visibleRows: visibleRows)
        return state.selectedWorker
    }

    static func drawChart(
        into canvas: inout Canvas, _ rect: Rect, model: DashboardModel, pool: String?, glyphs: Glyphs, now: Double
    ) {
        let plotColumns = rect.width - 2 - Chart.axisWidth
        let span = Format.duration(seconds: Int64(Chart.spanSeconds(columns: plotColumns)))
        let selected = PoolSelection.pool(pool, in: model.status)
        var title = [TextSpan("History", .title)]
        var history = model.history
        if let selected {
            title.append(TextSpan(" " + selected.name, CellStyle(.accent, bold: true)))
            if selected.name != PoolSelection.defaultPool {
                // The daemon's history covers `default` only: this pool's is what the dashboard saw.
                history = model.poolHistories[selected.name] ?? UsageHistory()
                title.append(TextSpan(" since attach", .muted))
            } else {
                title.append(TextSpan(" window usage", .muted))
            }
        } else {
            title.append(TextSpan(PoolSelection.pools(of: model.status).isEmpty ? " window usage" : " default", .muted))
        }
        var right: [TextSpan] = []
        let status = PoolSelection.narrowed(model.status, to: pool)
        if let status {
            right = [TextSpan("now ", .muted), TextSpan(Format.tokens(status.used), CellStyle(bold: true))]
            if let peak = history.columns(count: plotColumns, secondsPerColumn: Chart.secondsPerColumn(columns: plotColumns), now: now)
                .compactMap({ $0?.used }).max() {
                right += [TextSpan("  peak ", .muted), TextSpan(Format.tokens(peak))]
            }
        } else {
            title.append(TextSpan(" (no data)", .muted))
        }
        let inner = Box.draw(
            into: &canvas, rect, title: title, rightTitle: right,
            bottomLeft: [TextSpan(String(repeating: " ", count: Chart.axisWidth - 2) + "-" + span, .muted)],
            bottomRight: [TextSpan("now", .muted)], glyphs: glyphs)
        guard let status else { return }
        Chart(history: history, limit: status.limit, threshold: status.threshold, now: now)
            .draw(into: &canvas, inner, glyphs: glyphs)
    }

    static func drawSide(
        into canvas: inout Canvas, _ rect: Rect, model: DashboardModel, pool: String?, glyphs: Glyphs, now: Double
    ) {
        var queueTitle = [TextSpan("Queue", .title)]
        var cooldown = model.cooldownRemainingMs(now: now)
        let status = PoolSelection.narrowed(model.status, to: pool)
        if let selected = PoolSelection.pool(pool, in: model.status) {
            queueTitle.append(TextSpan(" " + selected.name, CellStyle(.accent, bold: true)))
            if selected.name != PoolSelection.defaultPool {
                cooldown = selected.cooldownRemainingMs.map {
                    max(0, $0 - Int64(((model.snapshotAge(now: now) ?? 0) * 1000).rounded(.down)))
                }
                // The queue's head is reported for `default` only: "n/a" rather than the wrong one.
                queueTitle.append(TextSpan(" (head n/a)", .muted))
            }
        } else if !PoolSelection.pools(of: model.status).isEmpty {
            queueTitle.append(TextSpan(" default", .muted))
        }
        let panel = QueuePanel(status: status, snapshotAge: model.snapshotAge(now: now) ?? 0, cooldownRemainingMs: cooldown)
        let inner: Rect
        var queueY: Int
        if let cluster = model.status?.cluster {
            // The whole organisation first; the queue (its first lines) and the events get the rows left.
            let hosts = HostsPanel(cluster: cluster, snapshotAge: model.snapshotAge(now: now) ?? 0)
            inner = Box.draw(into: &canvas, rect, title: hostsTitle(cluster), glyphs: glyphs)
            let hostRows = min(hosts.lines(width: inner.width, glyphs: glyphs).count, inner.height)
            hosts.draw(into: &canvas, Rect(x: inner.x, y: inner.y, width: inner.width, height: hostRows), glyphs: glyphs)
            queueY = inner.y + hostRows
            guard queueY + 1 < inner.maxY else { return }
            Box.separator(into: &canvas, rect, y: queueY, title: queueTitle, glyphs: glyphs)
            queueY += 1
        } else {
            inner = Box.draw(into: &canvas, rect, title: queueTitle, glyphs: glyphs)
            queueY = inner.y
        }
        let queueRows = min(panel.allLines().count, inner.maxY - queueY)
        panel.draw(into: &canvas, Rect(x: inner.x, y: queueY, width: inner.width, height: queueRows), glyphs: glyphs)
        let separatorY = queueY + queueRows
        guard separatorY < inner.maxY else { return }
        Box.separator(into: &canvas, rect, y: separatorY, title: [TextSpan("Events", .title)], glyphs: glyphs)
        let events = Rect(x: inner.x, y: separatorY + 1, width: inner.width, height: inner.maxY - separatorY - 1)
        EventsPanel(events: Array(model.events), now: now).draw(into: &canvas, events, glyphs: glyphs)
    }

    /// `Hosts 2  org acme`, with ` UNREACHABLE ` while the daemon cannot reach Redis.
    static func hostsTitle(_ cluster: ClusterStatus) -> [TextSpan] {
        var title = [TextSpan("Hosts", .title), TextSpan(" \(cluster.hosts.count)", CellStyle(bold: true)),
                     TextSpan("  org ", .muted), TextSpan(cluster.org, CellStyle(.accent))]
        if cluster.state == .unreachable { title.append(TextSpan(" UNREACHABLE ", CellStyle(.bad, bold: true, reverse: true))) }
        return title
    }

    static func drawTable(
        into canvas: inout Canvas, _ rect: Rect, model: DashboardModel, ui: DashboardUIState, rows: [WorkerStatus],
        glyphs: Glyphs
    ) {
        let visible = WorkerTable.visibleRows(interiorHeight: rect.height - 2)
        var state = ui
        state.reconcile(rows: rows.map(\.worker), visibleRows: visible)
        let waiting = rows.reduce(0) { $0 + $1.waiting }
        var title = [TextSpan("Workers", .title), TextSpan(" \(rows.count)", CellStyle(bold: true))]
        if !ui.filter.isEmpty {
            title.append(TextSpan(" of \(model.status?.workers.count ?? 0)", .muted))
            title.append(TextSpan("  /", .muted))
            title.append(TextSpan(ui.filter, CellStyle(.accent, bold: true)))
            if !ui.editingFilter { title.append(TextSpan(" (Esc clears)", .muted)) }
        }
        if waiting > 0 { title.append(TextSpan("  \(waiting) waiting", CellStyle(.warn))) }
        title.append(TextSpan("  sort ", .muted))
        title.append(TextSpan(ui.sort.rawValue, CellStyle(.accent)))
        if !PoolSelection.pools(of: model.status).isEmpty {
            title.append(TextSpan("  used in ", .muted))
            title.append(TextSpan(PoolSelection.pool(ui.selectedPool, in: model.status)?.name ?? "all pools", CellStyle(.accent, bold: true)))
        }
        var right: [TextSpan] = []
        if rows.count > visible, visible > 0 {
            let first = state.scrollOffset + 1
            let last = min(rows.count, state.scrollOffset + visible)
            right = [TextSpan("\(first)-\(last) of \(rows.count)", .muted)]
        }
        var bottomLeft: [TextSpan] = []
        if let name = state.selectedWorker, !rows.isEmpty {
            bottomLeft = [TextSpan("selected ", .muted), TextSpan(name, CellStyle(bold: true)),
                          TextSpan("  \(state.selectedIndex + 1)/\(rows.count)", .muted)]
        }
        let inner = Box.draw(
            into: &canvas, rect, title: title, rightTitle: right, bottomLeft: bottomLeft, glyphs: glyphs)
        var table = WorkerTable(
            rows: rows, sort: ui.sort, selectedIndex: rows.isEmpty ? nil : state.selectedIndex,
            scrollOffset: state.scrollOffset, windowMs: model.status?.windowMs ?? 0)
        table.showsHost = model.status?.cluster != nil
        if !ui.filter.isEmpty { table.emptyText = "no worker's name contains \"\(ui.filter)\" (Esc clears the filter)" }
        table.draw(into: &canvas, inner, glyphs: glyphs)
    }
}
