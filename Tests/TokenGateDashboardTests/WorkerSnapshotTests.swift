import Testing
import TokenGateDashboard

/// The screens of the worker keys: the detail pane, the cap line, the filter, at the standard and
/// a large size, from the preview's running fleet (crawler-01 capped at 25 %, summarizer-04 paused).
@Suite struct WorkerSnapshotTests {
    static let sizes = [(TerminalSize(width: 80, height: 24), "80x24"), (TerminalSize(width: 120, height: 40), "120x40")]

    /// A session on the preview's running fleet with the selection on `worker`.
    static func session(size: TerminalSize, selecting worker: String) -> DashboardSession {
        let model = DashboardPreview.model(.running)
        let visible = DashboardView.layout(for: model.status, size: size)?.tableVisibleRows ?? 1
        let rows = DashboardView.tableRows(for: model.status, sort: .used).map(\.worker)
        let ui = DashboardPreview.ui(for: model, selectedIndex: rows.firstIndex(of: worker) ?? 0, visibleRows: visible)
        return DashboardSession(socketLabel: "/run/user/1000/tokengate.sock", size: size, model: model, ui: ui)
    }

    func render(_ session: DashboardSession) -> String {
        session.render(glyphs: .unicode, now: DashboardPreview.now).text
    }

    @Test func theDetailPaneOfAPausedWorker() {
        for (size, name) in Self.sizes {
            var session = Self.session(size: size, selecting: "summarizer-04")
            _ = session.handle(.toggleDetail, now: DashboardPreview.now)
            let text = render(session)
            assertSnapshot(text, named: "detail-\(name)")
            #expect(text.contains("Worker summarizer-04 PAUSED"), "\(text)")
        }
    }

    @Test func theDetailPaneOfACappedWorker() {
        var session = Self.session(size: TerminalSize(width: 120, height: 40), selecting: "crawler-01")
        _ = session.handle(.toggleDetail, now: DashboardPreview.now)
        let text = render(session)
        assertSnapshot(text, named: "detail-capped-120x40")
        #expect(text.contains("cap 25% = 450.0k"), "\(text)")
    }

    @Test func theCapLineAndItsRefusal() {
        for (size, name) in Self.sizes {
            var session = Self.session(size: size, selecting: "eval-02")
            _ = session.handle(.editCap, now: DashboardPreview.now)
            for character in "0.3" { _ = session.handle(.type(character), now: DashboardPreview.now) }
            assertSnapshot(render(session), named: "cap-line-\(name)")
            _ = session.handle(.type("x"), now: DashboardPreview.now)
            _ = session.handle(.submitInput, now: DashboardPreview.now)
            assertSnapshot(render(session), named: "cap-refused-\(name)")
        }
    }

    @Test func theFilteredTable() {
        for (size, name) in Self.sizes {
            var session = Self.session(size: size, selecting: "crawler-01")
            _ = session.handle(.editFilter, now: DashboardPreview.now)
            for character in "er" { _ = session.handle(.type(character), now: DashboardPreview.now) }
            assertSnapshot(render(session), named: "filter-typing-\(name)")
            _ = session.handle(.submitInput, now: DashboardPreview.now)
            let text = render(session)
            assertSnapshot(text, named: "filter-kept-\(name)")
            #expect(text.contains("Workers 4 of 8  /er"), "\(text)")
        }
    }

    @Test func theHelpListsTheWorkerKeysAtTheStandardSize() {
        let text = DashboardPreview.render(.running, size: TerminalSize(width: 80, height: 24), showHelp: true).text
        for key in ["x ", "Enter  Esc", "c ", "/ "] {
            #expect(text.contains("│ " + key), "the help lists \(key):\n\(text)")
        }
        #expect(text.contains("any key closes"), "the whole help fits 80x24:\n\(text)")
    }

    @Test func aTinyTerminalStillSaysTooSmallWithThePaneOpen() {
        var session = Self.session(size: TerminalSize(width: 40, height: 12), selecting: "eval-02")
        _ = session.handle(.toggleDetail, now: DashboardPreview.now)
        _ = session.handle(.editFilter, now: DashboardPreview.now)
        #expect(render(session).contains("terminal too small"))
    }
}
