/// What the operator changed on screen: sort order, selected worker, scroll position, help overlay.
/// Pure; the selection follows the worker's name across snapshots and re-sorts.
public struct DashboardUIState: Sendable, Equatable {
    public var sort: WorkerSort
    /// The selected worker's name, once there is one.
    public var selectedWorker: String?
    /// Whether the operator picked the selection: then it follows that worker through re-sorts;
    /// before that it stays on the top row.
    public var selectionPinned: Bool
    /// The selected row's index in the sorted table.
    public var selectedIndex: Int
    /// The first visible row.
    public var scrollOffset: Int
    public var showHelp: Bool
    /// The pool that `p`, `+` and `-`, the chart, the queue panel and the table's usage are about;
    /// `nil` is "all" (pause and resume every pool, the limit of `default`, the workers' totals).
    /// Only set when the daemon has more than one pool.
    public var selectedPool: String?
    /// The worker table shows only the workers whose name contains this (any case); empty shows all.
    public var filter: String = ""
    /// The filter's input line is open (`/`): typed characters go to ``filter``.
    public var editingFilter = false
    /// The selected worker's detail pane shows in place of the chart and the queue (Enter).
    public var showDetail = false

    public init(
        sort: WorkerSort = .used, selectedWorker: String? = nil, selectedIndex: Int = 0, scrollOffset: Int = 0,
        showHelp: Bool = false, selectedPool: String? = nil
    ) {
        self.selectedPool = selectedPool
        self.sort = sort
        self.selectedWorker = selectedWorker
        selectionPinned = selectedWorker != nil
        self.selectedIndex = selectedIndex
        self.scrollOffset = scrollOffset
        self.showHelp = showHelp
    }

    /// Re-finds the selected worker in `rows` (the table in display order) and keeps it visible in a
    /// table showing `visibleRows` rows. If the worker is gone, or the operator has not picked one yet,
    /// the selection stays at the same index.
    public mutating func reconcile(rows: [String], visibleRows: Int) {
        guard !rows.isEmpty else {
            selectedIndex = 0
            scrollOffset = 0
            return
        }
        if selectionPinned, let name = selectedWorker, let index = rows.firstIndex(of: name) {
            selectedIndex = index
        } else {
            selectedIndex = min(max(0, selectedIndex), rows.count - 1)
            selectedWorker = rows[selectedIndex]
        }
        keepVisible(rowCount: rows.count, visibleRows: visibleRows)
    }

    /// Moves the selection by `delta` rows (clamped) in `rows`, keeping it visible.
    public mutating func moveSelection(by delta: Int, rows: [String], visibleRows: Int) {
        guard !rows.isEmpty else { return }
        reconcile(rows: rows, visibleRows: visibleRows)
        selectedIndex = min(max(0, selectedIndex + delta), rows.count - 1)
        selectedWorker = rows[selectedIndex]
        selectionPinned = true
        keepVisible(rowCount: rows.count, visibleRows: visibleRows)
    }

    /// Selects row `index` (clamped) of `rows`.
    public mutating func select(index: Int, rows: [String], visibleRows: Int) {
        guard !rows.isEmpty else { return }
        selectedIndex = min(max(0, index), rows.count - 1)
        selectedWorker = rows[selectedIndex]
        selectionPinned = true
        keepVisible(rowCount: rows.count, visibleRows: visibleRows)
    }

    /// Adjusts the scroll offset so the selected row is on screen and no blank rows show at the end.
    public mutating func keepVisible(rowCount: Int, visibleRows: Int) {
        let visible = max(1, visibleRows)
        if selectedIndex < scrollOffset { scrollOffset = selectedIndex }
        if selectedIndex >= scrollOffset + visible { scrollOffset = selectedIndex - visible + 1 }
        scrollOffset = min(scrollOffset, max(0, rowCount - visible))
        scrollOffset = max(0, scrollOffset)
    }
}
