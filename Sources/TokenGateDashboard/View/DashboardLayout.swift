/// Where each part of the screen goes for a terminal size. The full layout needs 80x24; above that
/// the extra rows go to the chart and the workers table, the extra columns to the chart, the queue
/// and events column, the names and the share bars.
public struct DashboardLayout: Sendable, Equatable {
    /// Below this the screen shows "terminal too small".
    public static let minimumSize = TerminalSize(width: 80, height: 24)
    /// Gauge rows at most: four budgets, or up to six pools (more pools are not drawn).
    public static let maximumGaugeRows = 6

    /// The side box's width with the hosts panel: 8 columns of host name beside the figures, the
    /// chart keeping the rest (38 columns at 80).
    public static let hostsSideWidth = 2 + HostsPanel.preferredWidth(longestHost: 8)

    /// The two header rows.
    public var header: Rect
    /// One row per budget, then the provider row, the gateway row and the rates row when there are.
    public var gauges: Rect
    /// The history chart's box.
    public var chart: Rect
    /// The queue and events box, right of the chart; with the organisation's hosts on top when
    /// the daemon shares its limit through Redis (then at least ``hostsSideWidth`` wide).
    public var side: Rect
    /// The workers table's box.
    public var table: Rect
    public var keyBar: Rect

    /// Worker rows the table shows at once.
    public var tableVisibleRows: Int { WorkerTable.visibleRows(interiorHeight: table.height - 2) }

    /// The layout for `size` with `budgetCount` gauges (1 to 4 budgets, or 1 to 6 pools) and, when
    /// `providerRow`, one more row for the provider's figures, when `ratesRow` one for the rates, and
    /// when `gatewayRow` one for the HTTP gateway; when `hostsPanel`, a side box wide enough for
    /// the hosts' columns; `nil` below the minimum size.
    public static func make(
        size: TerminalSize, budgetCount: Int, providerRow: Bool = false, ratesRow: Bool = false, gatewayRow: Bool = false,
        hostsPanel: Bool = false
    ) -> DashboardLayout? {
        guard size.width >= minimumSize.width, size.height >= minimumSize.height else { return nil }
        let screen = Rect(x: 0, y: 0, width: size.width, height: size.height)
        let gaugeRows = min(maximumGaugeRows, max(1, budgetCount)) + (providerRow ? 1 : 0) + (ratesRow ? 1 : 0)
            + (gatewayRow ? 1 : 0)
        let (header, afterHeader) = screen.splitTop(2)
        let (gauges, afterGauges) = afterHeader.splitTop(gaugeRows)
        let body = Rect(x: 0, y: afterGauges.y, width: size.width, height: afterGauges.height - 1)
        let keyBar = Rect(x: 0, y: size.height - 1, width: size.width, height: 1)

        // The middle band (chart, queue and events) gets 45 %, at least 7 rows (5 inside); the table
        // keeps at least 6 rows (a header and 3 workers inside).
        let middleHeight = max(7, min(body.height - 6, body.height * 45 / 100))
        let (middle, table) = body.splitTop(middleHeight)
        var sideWidth = min(60, max(34, size.width * 38 / 100))
        if hostsPanel { sideWidth = max(hostsSideWidth, sideWidth) }
        let (chart, side) = middle.splitRight(sideWidth)
        return DashboardLayout(header: header, gauges: gauges, chart: chart, side: side, table: table, keyBar: keyBar)
    }
}
