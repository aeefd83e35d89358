import Testing
import TokenGateDashboard
import TokenGateWire

/// The selected worker's keys: `x` pause/resume, Enter the detail pane, `c` its cap, `/` the filter.
@Suite struct WorkerControlTests {
    let size = TerminalSize(width: 80, height: 24)

    func session(fleet: SyntheticFleet = SyntheticFleet(workerCount: 8), connected: Bool = true) -> DashboardSession {
        var session = DashboardSession(socketLabel: "/tmp/s.sock", size: size)
        if connected { session.receive(.connected, now: 0) }
        session.receive(.snapshot(fleet.status(at: 100)), now: 0)
        if !connected { session.receive(.disconnected(reason: "gone"), now: 0.5) }
        return session
    }

    /// `session` with the selection on `worker`.
    func select(_ worker: String, in session: inout DashboardSession) {
        guard let index = session.rowNames.firstIndex(of: worker) else {
            Issue.record("\(worker) is not in \(session.rowNames)")
            return
        }
        _ = session.handle(.selectFirst, now: 1)
        for _ in 0..<index { _ = session.handle(.selectNext, now: 1) }
        #expect(session.ui.selectedWorker == worker)
    }

    @Test func xPausesTheSelectedWorkerAndResumesAPausedOne() {
        var fleet = SyntheticFleet(workerCount: 8)
        var session = session(fleet: fleet)
        select("eval-02", in: &session)
        #expect(session.handle(.toggleWorkerPause, now: 1) == .command(.pauseWorker("eval-02")))
        #expect(session.notice == "pausing eval-02…")
        fleet.pausedWorkers = ["eval-02"]
        session.receive(.snapshot(fleet.status(at: 101)), now: 2)
        #expect(session.handle(.toggleWorkerPause, now: 3) == .command(.resumeWorker("eval-02")))
        #expect(session.notice == "resuming eval-02…")
    }

    @Test("with serve --redis, x and c send nothing and say a worker's controls are not shared yet; the key bar leaves them out")
    func workerControlsWithACluster() {
        var session = DashboardSession(socketLabel: "/tmp/s.sock", size: size)
        session.receive(.connected, now: 0)
        var status = SyntheticFleet(workerCount: 8).status(at: 100)
        status.cluster = ClusterStatus(state: .connected, org: "acme", hosts: [], host: "a")
        session.receive(.snapshot(status), now: 0)
        select("eval-02", in: &session)
        #expect(session.handle(.toggleWorkerPause, now: 1) == .none)
        #expect(session.notice == "not shared through Redis yet")
        #expect(session.handle(.editCap, now: 2) == .none && session.capEntry == nil)
        #expect(session.model.events.last?.message.contains("pause the pool") == true)
        var bar = KeyBar(paused: false, sort: .used, notice: nil)
        #expect(bar.items(glyphs: .unicode).map(\.key).contains("x"))
        bar.workerControls = false
        let keys = bar.items(glyphs: .unicode).map(\.key)
        #expect(!keys.contains("x") && !keys.contains("c") && keys.contains("p") && keys.contains("Enter"))
    }

    @Test func xWhileDisconnectedSendsNothing() {
        var session = session(connected: false)
        #expect(session.handle(.toggleWorkerPause, now: 1) == .none)
        #expect(session.notice == "not connected")
    }

    @Test func aPausedOrCappedWorkersRowSaysSo() {
        var fleet = SyntheticFleet(workerCount: 8)
        fleet.pausedWorkers = ["eval-02"]
        fleet.caps = ["agent-03": 0.25]
        var wide = session(fleet: fleet)
        wide.resize(to: TerminalSize(width: 120, height: 40))
        let text = wide.render(glyphs: .unicode, now: 1).text
        let lines = text.split(separator: "\n")
        #expect(lines.contains { $0.contains("eval-02 PAUSED") }, "\(text)")
        #expect(lines.contains { $0.contains("agent-03 cap 25%") }, "\(text)")
        #expect(!lines.contains { $0.contains("crawler-01 PAUSED") || $0.contains("crawler-01 cap") }, "\(text)")
    }

    @Test func tagsCutTheNameShortRatherThanThemselves() {
        var worker = WorkerStatus(
            worker: "a-very-long-worker-name-indeed", used: 1, requests: 1, inFlight: 0, waiting: 0, lastSeenMsAgo: 0,
            connected: true, paused: true, cap: 0.5)
        func row(width: Int) -> String {
            var canvas = Canvas(size: TerminalSize(width: width, height: 3))
            WorkerTable(rows: [worker], sort: .used, selectedIndex: nil, scrollOffset: 0)
                .draw(into: &canvas, Rect(x: 0, y: 0, width: width - 2, height: 3), glyphs: .unicode)
            return String(canvas.text.split(separator: "\n")[1])
        }
        // At 80 columns the share bar gives way and the cap goes (the detail pane shows it).
        #expect(row(width: 80).contains("● a-very-l… PAUSED  "), "\(row(width: 80))")
        #expect(!row(width: 80).contains("cap"), "\(row(width: 80))")
        #expect(row(width: 100).contains("● a-very-long-worker-n… PAUSED cap 50%"), "\(row(width: 100))")
        #expect(row(width: 140).contains("● a-very-long-worker-name-indeed PAUSED cap 50%"), "\(row(width: 140))")
        worker.paused = false
        worker.cap = nil
        #expect(WorkerTable.tags(for: worker).isEmpty)
    }

    @Test func enterOpensTheDetailPaneInPlaceOfTheChartAndEnterOrEscCloseIt() {
        var session = session()
        select("agent-03", in: &session)
        #expect(session.handle(.toggleDetail, now: 1) == .none)
        #expect(session.ui.showDetail)
        let text = session.render(glyphs: .unicode, now: 1).text
        #expect(text.contains("Worker agent-03"), "\(text)")
        #expect(text.contains("tokens/min"), "\(text)")
        #expect(!text.contains("History"), "the pane takes the chart's place:\n\(text)")
        #expect(KeyMap.action(for: .escape, in: session.keyContext) == .closeDetail)
        _ = session.handle(.closeDetail, now: 2)
        #expect(!session.ui.showDetail)
        _ = session.handle(.toggleDetail, now: 3)
        _ = session.handle(.toggleDetail, now: 4)
        #expect(!session.ui.showDetail)
        #expect(session.render(glyphs: .unicode, now: 4).text.contains("History"))
    }

    @Test func enterWithNoWorkerSaysSo() {
        var session = session(fleet: SyntheticFleet(workerCount: 0))
        _ = session.handle(.toggleDetail, now: 1)
        #expect(!session.ui.showDetail)
        #expect(session.notice == "no worker selected")
    }

    @Test func cOpensTheCapLineAndEnterSendsTheCap() {
        var session = session()
        select("eval-02", in: &session)
        #expect(session.handle(.editCap, now: 1) == .none)
        #expect(session.capEntry?.worker == "eval-02")
        #expect(session.keyContext.inputOpen)
        for character in "25%" { _ = session.handle(.type(character), now: 1) }
        #expect(session.render(glyphs: .unicode, now: 1).text.contains("cap eval-02: 25%"))
        #expect(session.handle(.submitInput, now: 2) == .command(.setCap(0.25, worker: "eval-02")))
        #expect(session.capEntry == nil)
        #expect(session.notice == "cap eval-02 25%…")
    }

    @Test func badCapInputSaysWhatIsAcceptedAndSendsNothing() {
        var session = session()
        _ = session.handle(.editCap, now: 1)
        for character in "2x" { _ = session.handle(.type(character), now: 1) }
        #expect(session.handle(.submitInput, now: 2) == .none)
        #expect(session.capEntry?.error == CapEntry.accepted)
        let text = session.render(glyphs: .unicode, now: 2).text
        #expect(text.contains(CapEntry.accepted), "\(text)")
        _ = session.handle(.deleteBackward, now: 3)
        _ = session.handle(.deleteBackward, now: 3)
        for character in "none" { _ = session.handle(.type(character), now: 3) }
        let worker = session.capEntry?.worker ?? ""
        #expect(session.handle(.submitInput, now: 4) == .command(.setCap(nil, worker: worker)))
    }

    @Test func escCancelsTheCapLine() {
        var session = session()
        _ = session.handle(.editCap, now: 1)
        _ = session.handle(.type("1"), now: 1)
        #expect(session.handle(.cancelInput, now: 2) == .none)
        #expect(session.capEntry == nil)
        #expect(session.notice == "cap unchanged")
    }

    @Test func slashFiltersTheTableAsYouTypeEnterKeepsItEscClearsIt() {
        var session = session()
        _ = session.handle(.editFilter, now: 1)
        #expect(session.keyContext.inputOpen)
        for character in "EVAL" { _ = session.handle(.type(character), now: 1) }
        #expect(session.rowNames == ["eval-02", "eval-08"])
        var text = session.render(glyphs: .unicode, now: 1).text
        #expect(text.contains("filter /EVAL"), "\(text)")
        #expect(text.contains("2 of 8 workers"), "\(text)")
        _ = session.handle(.submitInput, now: 2)
        #expect(!session.keyContext.inputOpen)
        #expect(session.rowNames == ["eval-02", "eval-08"])
        text = session.render(glyphs: .unicode, now: 2).text
        #expect(text.contains("Workers 2 of 8  /EVAL"), "\(text)")
        #expect(!text.contains("crawler-01"), "\(text)")
        // A snapshot keeps the filter.
        session.receive(.snapshot(SyntheticFleet(workerCount: 8).status(at: 101)), now: 3)
        #expect(session.rowNames == ["eval-02", "eval-08"])
        #expect(KeyMap.action(for: .escape, in: session.keyContext) == .clearFilter)
        _ = session.handle(.clearFilter, now: 4)
        #expect(session.rowNames.count == 8)
    }

    @Test func escInTheFilterLineClearsIt() {
        var session = session()
        _ = session.handle(.editFilter, now: 1)
        _ = session.handle(.type("#"), now: 1)
        #expect(session.rowNames.isEmpty)
        #expect(session.render(glyphs: .unicode, now: 1).text.contains("no worker's name contains \"#\""))
        _ = session.handle(.deleteBackward, now: 1)
        #expect(session.rowNames.count == 8)
        _ = session.handle(.type("#"), now: 1)
        _ = session.handle(.cancelInput, now: 2)
        #expect(session.ui.filter.isEmpty)
        #expect(!session.ui.editingFilter)
        #expect(session.rowNames.count == 8)
    }

    @Test func xActsOnTheFilteredSelection() {
        var session = session()
        _ = session.handle(.editFilter, now: 1)
        for character in "batch" { _ = session.handle(.type(character), now: 1) }
        _ = session.handle(.submitInput, now: 1)
        #expect(session.handle(.toggleWorkerPause, now: 2) == .command(.pauseWorker("batch-06")))
    }

    @Test func commandFailuresNameTheWorker() {
        var session = session()
        session.commandFailed(.setCap(0.5, worker: "eval-02"), reason: "forbidden", now: 1)
        #expect(session.notice == "cap eval-02 50% failed")
        session.commandFailed(.pauseWorker("eval-02"), reason: "forbidden", now: 2)
        #expect(session.model.events.last?.message == "pause eval-02 failed: forbidden")
    }

    @Test func thePreviewLinkCarriesOutTheWorkerCommands() async throws {
        let link = PreviewLink(workers: 4, interval: .milliseconds(20))
        try await link.pause(worker: "eval-02")
        try await link.setCap(0.3, worker: "agent-03")
        var paused = false
        var capped = false
        for await event in link.events() {
            guard case .snapshot(let status) = event else { continue }
            paused = status.workers.first { $0.worker == "eval-02" }?.paused == true
            capped = status.workers.first { $0.worker == "agent-03" }?.cap == 0.3
            break
        }
        #expect(paused && capped)
        try await link.resume(worker: "eval-02")
        #expect(await link.received == [.pauseWorker("eval-02"), .setCap(0.3, worker: "agent-03"), .resumeWorker("eval-02")])
    }
}
