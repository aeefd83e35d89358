import Foundation
import Testing
import TokenGateDashboard
import TokenGateWire

@Suite struct WorkerDetailTests {
    static let worker = WorkerStatus(
        worker: "eval-02", used: 30_000, requests: 12, inFlight: 3, waiting: 2, lastSeenMsAgo: 100, connected: true,
        oldestGrantMs: 75_000, paused: true, cap: 0.25,
        tickets: [
            TicketStatus(ticket: "tk-1", ageMs: 75_000, reserved: 5_000, pool: "default"),
            TicketStatus(ticket: "tk-2", ageMs: 4_000, reserved: 2_000, pool: "opus"),
        ],
        waiters: [
            WaiterStatus(priority: .high, estimate: 8_000, waitedMs: 2_000, pool: "default"),
            WaiterStatus(priority: .low, estimate: 1_500, waitedMs: 9_000, pool: "default"),
        ])

    static var idlePaused: WorkerStatus {
        var worker = worker
        worker.waiting = 0
        worker.waiters = []
        return worker
    }

    static func status(windowMs: Int64 = 60_000) -> Status {
        var status = SyntheticFleet(workerCount: 1, limit: 100_000, windowMs: windowMs).status(at: 10)
        status.workers = [worker]
        return status
    }

    func render(_ detail: WorkerDetail, width: Int = 78, height: Int = 8) -> String {
        var canvas = Canvas(size: TerminalSize(width: width, height: height))
        detail.draw(into: &canvas, Rect(x: 0, y: 0, width: width, height: height), glyphs: .unicode)
        return canvas.text
    }

    @Test func figuresComeFromTheWindow() {
        let detail = WorkerDetail(worker: Self.worker, status: Self.status(windowMs: 120_000), history: nil, now: 0, snapshotAge: 0)
        // 30k in a two-minute window: 15k a minute; 30k over 12 requests: 2.5k each.
        #expect(detail.tokensPerMinute == 15_000)
        #expect(detail.meanCost == 2_500)
        var idle = Self.worker
        idle.requests = 0
        #expect(WorkerDetail(worker: idle, status: Self.status(), history: nil, now: 0, snapshotAge: 0).meanCost == nil)
    }

    @Test func thePaneListsTicketsWithAgesWaitersWithPrioritiesAndTheCap() {
        let text = render(WorkerDetail(worker: Self.worker, status: Self.status(), history: nil, now: 0, snapshotAge: 1.5), height: 10)
        #expect(text.contains("Worker eval-02 PAUSED cap 25%"), "\(text)")
        #expect(text.contains("tokens/min 30.0k"), "\(text)")
        #expect(text.contains("mean 2.5k/req"), "\(text)")
        #expect(text.contains("cap 25% = 25.0k"), "\(text)")
        #expect(text.contains("Tickets in flight 3"), "\(text)")
        // Ages count on from the snapshot; one older than the window is marked.
        #expect(text.contains("1m16s!  5.0k  default  tk-1"), "\(text)")
        #expect(text.contains("5s   2.0k  opus  tk-2"), "\(text)")
        // The daemon listed two of the three.
        #expect(text.contains("+1 more"), "\(text)")
        #expect(text.contains("Waiting 2  passed over (paused)"), "\(text)")
        #expect(!render(WorkerDetail(worker: Self.idlePaused, status: Self.status(), history: nil, now: 0, snapshotAge: 0))
            .contains("passed over"), "nothing waits, nothing is passed over")
        #expect(text.contains("high     8.0k  waited 3s"), "\(text)")
        #expect(text.contains("low      1.5k  waited 10s"), "\(text)")
    }

    @Test func aShortPaneSaysHowManyMoreItCannotShow() {
        var worker = Self.worker
        worker.tickets = (0..<6).map { TicketStatus(ticket: "tk-\($0)", ageMs: Int64($0) * 1_000, reserved: 1_000, pool: "default") }
        worker.inFlight = 9
        let text = render(WorkerDetail(worker: worker, status: Self.status(), history: nil, now: 0, snapshotAge: 0), height: 9)
        // 7 rows inside: two of sparkline, figures, heading, two tickets, "+7 more".
        #expect(text.contains("tk-1"), "\(text)")
        #expect(!text.contains("tk-2"), "\(text)")
        #expect(text.contains("+7 more"), "\(text)")
    }

    @Test func anUncappedWorkerOfAnOlderDaemonSaysNotAvailable() {
        var worker = Self.worker
        worker.cap = nil
        worker.paused = nil
        worker.tickets = nil
        worker.waiters = nil
        let text = render(WorkerDetail(worker: worker, status: Self.status(), history: nil, now: 0, snapshotAge: 0))
        #expect(text.contains("cap n/a"), "\(text)")
        #expect(text.contains("oldest 1m15s"), "\(text)")
        worker.paused = false
        #expect(render(WorkerDetail(worker: worker, status: Self.status(), history: nil, now: 0, snapshotAge: 0)).contains("cap none"))
        // The daemon leaves empty lists out: nothing in flight or waiting reads "none".
        worker.inFlight = 0
        worker.waiting = 0
        let idle = render(WorkerDetail(worker: worker, status: Self.status(), history: nil, now: 0, snapshotAge: 0))
        #expect(idle.contains("│ none") && idle.contains("Waiting 0"), "\(idle)")
        #expect(idle.components(separatedBy: "none").count - 1 == 3, "cap none and two lists: \(idle)")
    }

    @Test func theSparklineSpansTheWindowWithTheNewestOnTheRight() {
        var history = UsageHistory(seconds: 120)
        for second in 0..<60 { history.record(time: Double(second), used: Int64(second) * 100, reserved: 0, limit: 1, threshold: 1) }
        let sparkline = Sparkline(history: history, spanSeconds: 60, now: 59)
        #expect(sparkline.peak(width: 60) == 5_900)
        // 60 s in 30 columns: two seconds each.
        #expect(Sparkline.secondsPerColumn(span: 60, columns: 30) == 2)
        #expect(sparkline.columns(width: 30).count == 30)
        #expect(sparkline.columns(width: 100).count == 60)
        var canvas = Canvas(size: TerminalSize(width: 60, height: 1))
        sparkline.draw(into: &canvas, Rect(x: 0, y: 0, width: 60, height: 1), glyphs: .unicode)
        let row = Array(canvas.text.unicodeScalars)
        #expect(row.last == "█", "the peak is the newest second: \(canvas.text)")
        #expect(row.first == "▁", "nothing used shows the faint baseline: \(canvas.text)")
        // A gap between samples holds the sample before it; before the first one stays blank.
        var sparse = UsageHistory(seconds: 120)
        sparse.record(time: 50, used: 800, reserved: 0, limit: 1, threshold: 1)
        sparse.record(time: 59, used: 800, reserved: 0, limit: 1, threshold: 1)
        let held = Sparkline(history: sparse, spanSeconds: 60, now: 59).columns(width: 60)
        #expect(held.prefix(50).allSatisfy { $0 == nil })
        #expect(held.suffix(10).allSatisfy { $0?.used == 800 })
    }

    @Test func theModelSamplesEachWorkerAndForgetsOnesThatLeave() {
        var model = DashboardModel()
        var fleet = SyntheticFleet(workerCount: 3)
        model.apply(.connected, now: 0)
        for second in 0..<5 { model.apply(.snapshot(fleet.status(at: Double(second))), now: Double(second)) }
        #expect(Set(model.workerHistories.keys) == ["crawler-01", "eval-02", "agent-03"])
        #expect(model.workerHistories["eval-02"]?.count == 5)
        #expect(model.workerHistories["eval-02"]?.latest?.used == fleet.status(at: 4).workers[1].used)
        fleet.workerCount = 2
        model.apply(.snapshot(fleet.status(at: 5)), now: 5)
        #expect(Set(model.workerHistories.keys) == ["crawler-01", "eval-02"])
    }

    @Test func theQueuePanelShowsThePriorityMix() {
        var status = Self.status()
        status.queueByPriority = PriorityCounts(high: 1, normal: 3, low: 0)
        status.waiting = 4
        status.queue = QueueStatus(worker: "eval-02", estimate: 8_000, admissibleInMs: 500, oversized: false, priority: .high)
        let panel = QueuePanel(status: status, snapshotAge: 0, cooldownRemainingMs: nil)
        let lines = panel.allLines().map { $0.map(\.text).joined() }
        #expect(lines.count == 4)
        #expect(lines[1] == "by prio  high 1 normal 3 low 0")
        #expect(lines[2].hasSuffix("est 8.0k  high"), "\(lines)")
        status.queueByPriority = nil
        #expect(QueuePanel(status: status, snapshotAge: 0, cooldownRemainingMs: nil).allLines().count == 3)
        // Nothing waiting: the events panel gets the row back.
        status.queueByPriority = PriorityCounts()
        #expect(QueuePanel(status: status, snapshotAge: 0, cooldownRemainingMs: nil).mixLine() == nil)
    }

    @Test func theKeyBarDropsTheLeastNeededKeysFirst() {
        let bar = KeyBar(paused: false, sort: .used, notice: nil)
        let wide = bar.fittingKeys(width: 200)
        #expect(wide == ["p", "x", "Enter", "c", "/", "+-", "s", "↑↓", "?", "q"])
        let narrow = bar.fittingKeys(width: 80)
        #expect(narrow.contains("?") && narrow.contains("q") && narrow.contains("x") && narrow.contains("Enter"))
        #expect(!narrow.contains("↑↓"))
        #expect(bar.fittingKeys(width: 18) == ["?", "q"])
        var canvas = Canvas(size: TerminalSize(width: 80, height: 1))
        bar.draw(into: &canvas, Rect(x: 0, y: 0, width: 80, height: 1), glyphs: .unicode)
        #expect(canvas.text.contains("q Quit"), "\(canvas.text)")
    }
}
