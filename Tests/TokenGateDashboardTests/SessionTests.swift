import Testing
import TokenGateCore
import TokenGateDashboard
import TokenGateWire

@Suite struct DashboardSessionTests {
    let size = TerminalSize(width: 80, height: 24)

    func session(workers: Int = 8, state: GateState = .running, limit: Int64 = 1_800_000) -> DashboardSession {
        var session = DashboardSession(socketLabel: "/tmp/s.sock", size: size)
        var fleet = SyntheticFleet(workerCount: workers)
        fleet.limit = limit
        session.receive(.connected, now: 0)
        session.receive(.snapshot(fleet.status(at: 100, state: state)), now: 0)
        return session
    }

    @Test func pauseTogglesOnTheDaemonsState() {
        var running = session()
        #expect(running.handle(.togglePause, now: 1) == .command(.pause(pool: nil)))
        #expect(running.notice == "pausing…")
        var paused = session(state: .paused)
        #expect(paused.handle(.togglePause, now: 1) == .command(.resume(pool: nil)))
        var cooling = session(state: .cooldown)
        #expect(cooling.handle(.togglePause, now: 1) == .command(.pause(pool: nil)))
    }

    @Test func theNoticeGoesWhenTheSnapshotConfirms() {
        var session = session()
        _ = session.handle(.togglePause, now: 1)
        #expect(session.render(glyphs: .unicode, now: 1.1).text.contains("pausing…"))
        session.receive(.snapshot(SyntheticFleet(workerCount: 8).status(at: 101, state: .paused)), now: 1.2)
        #expect(session.notice == nil)
        #expect(!session.render(glyphs: .unicode, now: 1.3).text.contains("pausing…"))
    }

    @Test func plusAndMinusOpenAConfirmLineThatStepsByTenPercentOfTheLimitWhenItOpened() {
        var session = session()
        // Nothing is sent until Enter; the line shows old -> new.
        #expect(session.handle(.raiseLimit, now: 1) == .none)
        #expect(session.limitProposal?.proposed == 1_980_000)
        #expect(session.render(glyphs: .unicode, now: 1.1).text.contains("limit 1.80M → 1.98M (+10 %)"))
        #expect(session.handle(.raiseLimit, now: 1.2) == .none)
        #expect(session.limitProposal?.proposed == 2_160_000)
        // The step stays 10 % of the limit when the line opened, so + and - cancel out.
        #expect(session.handle(.lowerLimit, now: 1.3) == .none)
        #expect(session.handle(.lowerLimit, now: 1.4) == .none)
        #expect(session.limitProposal?.proposed == 1_800_000)
        #expect(session.handle(.lowerLimit, now: 1.5) == .none)
        #expect(session.handle(.confirmLimit, now: 1.6) == .command(.setLimit(1_620_000, pool: nil)))
        #expect(session.limitProposal == nil)
        #expect(session.render(glyphs: .unicode, now: 1.7).text.contains("limit 1.80M → 1.62"))
        var fleet = SyntheticFleet(workerCount: 8)
        fleet.limit = 1_620_000
        session.receive(.snapshot(fleet.status(at: 101)), now: 2)
        #expect(session.requestedLimit == nil)
        // The next line opens at the new limit.
        #expect(session.handle(.lowerLimit, now: 3) == .none)
        #expect(session.limitProposal?.proposed == 1_458_000)
    }

    @Test func escapeCancelsTheConfirmLineAndEnterWithoutChangeSendsNothing() {
        var session = session()
        _ = session.handle(.raiseLimit, now: 1)
        #expect(session.handle(.cancelLimit, now: 1.1) == .none)
        #expect(session.limitProposal == nil)
        #expect(session.notice == "limit unchanged")
        _ = session.handle(.raiseLimit, now: 2)
        _ = session.handle(.lowerLimit, now: 2.1)
        #expect(session.handle(.confirmLimit, now: 2.2) == .none)
        #expect(session.handle(.confirmLimit, now: 2.3) == .none, "Enter with no line open does nothing")
    }

    @Test func aProposalNeverGoesBelowOne() {
        var proposal = LimitProposal(current: 5, up: false)
        #expect(proposal.step == 1)
        #expect(proposal.proposed == 4)
        for _ in 0..<10 { proposal.move(up: false) }
        #expect(proposal.proposed == 1)
    }

    @Test func commandsNeedAConnection() {
        var session = DashboardSession(socketLabel: "/tmp/s.sock", size: size)
        #expect(session.handle(.togglePause, now: 0) == .none)
        #expect(session.handle(.raiseLimit, now: 0) == .none)
        #expect(session.notice == "not connected")
        var lost = self.session()
        lost.receive(.disconnected(reason: "refused"), now: 1)
        #expect(lost.handle(.togglePause, now: 2) == .none)
    }

    @Test func aFailedCommandShowsInTheEvents() {
        var session = session()
        _ = session.handle(.raiseLimit, now: 1)
        _ = session.handle(.confirmLimit, now: 1.1)
        session.commandFailed(.setLimit(1_980_000, pool: nil), reason: "forbidden", now: 1.2)
        #expect(session.model.events.last?.message == "limit 1.98M failed: forbidden")
        #expect(session.requestedLimit == nil)
        #expect(session.render(glyphs: .unicode, now: 1.3).text.contains("limit 1.98M failed"))
    }

    @Test func selectionMovesScrollsAndClamps() {
        var session = session(workers: 200)
        let visible = session.visibleRows
        #expect(visible == 8)
        #expect(session.ui.selectedIndex == 0)
        _ = session.handle(.selectPrevious, now: 1)
        #expect(session.ui.selectedIndex == 0)
        for _ in 0..<10 { _ = session.handle(.selectNext, now: 1) }
        #expect(session.ui.selectedIndex == 10)
        #expect(session.ui.scrollOffset == 3)
        _ = session.handle(.pageDown, now: 1)
        #expect(session.ui.selectedIndex == 17)
        #expect(session.ui.scrollOffset == 10)
        _ = session.handle(.selectLast, now: 1)
        #expect(session.ui.selectedIndex == 199)
        #expect(session.ui.scrollOffset == 192)
        _ = session.handle(.pageDown, now: 1)
        #expect(session.ui.selectedIndex == 199)
        _ = session.handle(.pageUp, now: 1)
        #expect(session.ui.selectedIndex == 192)
        #expect(session.ui.scrollOffset == 192)
        _ = session.handle(.selectFirst, now: 1)
        #expect(session.ui.selectedIndex == 0 && session.ui.scrollOffset == 0)
    }

    @Test func selectionFollowsTheWorkerAcrossSorts() {
        var session = session(workers: 20)
        for _ in 0..<3 { _ = session.handle(.selectNext, now: 1) }
        let name = session.ui.selectedWorker
        #expect(name == session.rowNames[3])
        _ = session.handle(.nextSort, now: 1)
        #expect(session.ui.sort == .requests)
        #expect(session.ui.selectedWorker == name)
        #expect(session.rowNames[session.ui.selectedIndex] == name)
        for _ in 0..<WorkerSort.allCases.count - 1 { _ = session.handle(.nextSort, now: 1) }
        #expect(session.ui.sort == .used)
        _ = session.handle(.previousSort, now: 1)
        #expect(session.ui.sort == .name)
        #expect(session.rowNames == session.rowNames.sorted())
    }

    @Test func aLeavingWorkerLeavesTheSelectionInPlace() {
        var session = session(workers: 10)
        for _ in 0..<9 { _ = session.handle(.selectNext, now: 1) }
        session.receive(.snapshot(SyntheticFleet(workerCount: 5).status(at: 101)), now: 2)
        #expect(session.ui.selectedIndex == 4)
        #expect(session.ui.selectedWorker == session.rowNames[4])
    }

    @Test func aTallerTerminalShowsMoreRows() {
        var session = session(workers: 200)
        for _ in 0..<30 { _ = session.handle(.selectNext, now: 1) }
        session.resize(to: TerminalSize(width: 120, height: 40))
        #expect(session.visibleRows == 17)
        #expect(session.ui.selectedIndex == 30)
        #expect(session.ui.scrollOffset <= 30 && session.ui.scrollOffset + 17 > 30)
        session.resize(to: TerminalSize(width: 40, height: 12))
        #expect(session.layout == nil)
        #expect(session.render(glyphs: .unicode, now: 1).text.contains("terminal too small (need 80x24)"))
    }

    @Test func helpAndQuit() {
        var session = session()
        #expect(session.handle(.toggleHelp, now: 1) == .none)
        #expect(session.ui.showHelp)
        #expect(session.handle(.closeHelp, now: 1) == .none)
        #expect(!session.ui.showHelp)
        #expect(session.handle(.quit, now: 1) == .quit)
        #expect(session.handle(.resize, now: 1) == .repaint)
    }
}

@Suite struct SelectionTests {
    @Test func untouchedSelectionStaysOnTheTopRow() {
        var ui = DashboardUIState()
        ui.reconcile(rows: ["b", "a", "c"], visibleRows: 5)
        #expect(ui.selectedWorker == "b")
        ui.reconcile(rows: ["a", "b", "c"], visibleRows: 5)
        #expect(ui.selectedIndex == 0 && ui.selectedWorker == "a")
    }

    @Test func pickedSelectionFollowsTheWorker() {
        var ui = DashboardUIState()
        ui.moveSelection(by: 1, rows: ["a", "b", "c"], visibleRows: 5)
        #expect(ui.selectedWorker == "b")
        ui.reconcile(rows: ["c", "a", "b"], visibleRows: 5)
        #expect(ui.selectedIndex == 2 && ui.selectedWorker == "b")
    }
}

@Suite struct LimitNoticeTests {
    @Test func aLateConfirmationLeavesALaterNoticeAlone() {
        var session = DashboardSession(socketLabel: "/tmp/s.sock", size: TerminalSize(width: 100, height: 30))
        session.receive(.connected, now: 0)
        session.receive(.snapshot(SyntheticFleet(workerCount: 8).status(at: 100)), now: 0.1)
        _ = session.handle(.raiseLimit, now: 1)
        #expect(session.handle(.confirmLimit, now: 1.1) == .command(.setLimit(1_980_000, pool: nil)))
        _ = session.handle(.lowerLimit, now: 1.2)
        _ = session.handle(.cancelLimit, now: 1.3)
        var fleet = SyntheticFleet(workerCount: 8)
        fleet.limit = 1_980_000
        session.receive(.snapshot(fleet.status(at: 101)), now: 1.4)
        #expect(session.notice == "limit unchanged")
    }
}
