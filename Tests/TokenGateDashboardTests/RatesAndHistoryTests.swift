import Testing
import TokenGateDashboard
import TokenGateWire

/// The rates row, the algorithm in the header, and the chart filled from the daemon's history.
@Suite struct RatesRowTests {
    static func status(rates: RatesStatus?, algorithm: String? = "sliding-window", sendMarginMs: Int64? = 1_000) -> Status {
        Status(
            state: .running, windowMs: 60_000, limit: 150_000, threshold: 0.9, used: 60_000, reserved: 3_000,
            inFlight: 1, waiting: 0, budgets: [BudgetStatus(name: "tokens", limit: 150_000, used: 60_000, reserved: 3_000)],
            workers: [], uptimeMs: 720_000, server: "tokengate/0.1.0", algorithm: algorithm, sendMarginMs: sendMarginMs,
            rates: rates)
    }

    static func screen(_ status: Status, size: TerminalSize = TerminalSize(width: 80, height: 24)) -> Canvas {
        var model = DashboardModel()
        model.apply(.connected, now: 100)
        model.apply(.snapshot(status), now: 100)
        return DashboardView.render(model: model, ui: DashboardUIState(), size: size, glyphs: .unicode, now: 100.5,
                                    socketLabel: "/tmp/tg.sock")
    }

    static func line(_ canvas: Canvas, containing text: String) -> String? {
        canvas.text.split(separator: "\n").first { $0.contains(text) }.map(String.init)
    }

    @Test func theRowReadsAsLabelsAndFigures() {
        let row = RatesRow(status: Self.status(rates: RatesStatus(
            tokensPerMin: 412_300, grantsPerS: 1.85, waitP99Ms: 850, throttlesInWindow: 0)))
        #expect(row.spans().map(\.text).joined()
            == "rates    tokens/min 412.3k  grants/s 1.85  wait p99 850ms  429s 0  · last 60s")
        // Too narrow for the window: the figures stay, the window goes.
        #expect(!row.spans(width: 70).map(\.text).joined().contains("last"))
    }

    @Test func a429InTheWindowIsMarkedBeyondColour() throws {
        let row = RatesRow(status: Self.status(rates: RatesStatus(
            tokensPerMin: 0, grantsPerS: 0, waitP99Ms: nil, throttlesInWindow: 3)))
        let spans = row.spans()
        #expect(spans.map(\.text).joined().contains("wait p99 -  429s 3"), "no grant: no p99")
        let count = try #require(spans.last { $0.text == "3" })
        #expect(count.style.bold && count.style.reverse)
        let quiet = RatesRow(status: Self.status(rates: RatesStatus(
            tokensPerMin: 0, grantsPerS: 0, waitP99Ms: 0, throttlesInWindow: 0)))
        #expect(quiet.spans().last { $0.text == "0" }?.style.reverse == false)
    }

    @Test func theRowIsOnScreenUnderTheGaugesAndAbsentForADaemonWithoutRates() throws {
        let rates = RatesStatus(tokensPerMin: 61_500, grantsPerS: 12.25, waitP99Ms: 1_250, throttlesInWindow: 1)
        for size in [TerminalSize(width: 80, height: 24), TerminalSize(width: 200, height: 60)] {
            let canvas = Self.screen(Self.status(rates: rates), size: size)
            let lines = canvas.text.split(separator: "\n", omittingEmptySubsequences: false)
            #expect(lines[2].hasPrefix(" tokens "), "the gauge: \(lines[2])")
            #expect(lines[3] .hasPrefix(" rates    tokens/min 61.5k  grants/s 12.3  wait p99 1.3s  429s 1"), "\(lines[3])")
        }
        let old = Self.screen(Self.status(rates: nil, algorithm: nil, sendMarginMs: nil))
        #expect(Self.line(old, containing: "tokens/min") == nil)
        #expect(old.text.split(separator: "\n")[3].hasPrefix("┌ History"), "the chart moves up a row")
    }

    @Test func theHeaderNamesTheAlgorithmAtEverySize() throws {
        for (algorithm, name) in [("sliding-window", "sliding window"), ("token-bucket", "token bucket")] {
            let status = Self.status(rates: nil, algorithm: algorithm)
            let small = try #require(Self.line(Self.screen(status), containing: "tokengate 0.1.0"))
            #expect(small.contains("· \(name)  · /tmp/tg.sock"), "\(small)")
            #expect(small.contains("RUNNING"))
            let wide = try #require(Self.line(Self.screen(status, size: TerminalSize(width: 120, height: 40)), containing: "tokengate"))
            #expect(wide.contains("· \(name), 1s send margin  · /tmp/tg.sock"), "\(wide)")
        }
        let old = try #require(Self.line(Self.screen(Self.status(rates: nil, algorithm: nil)), containing: "tokengate"))
        #expect(!old.contains("window") && !old.contains("bucket") && old.contains("/tmp/tg.sock"), "\(old)")
    }

    @Test func formats() {
        #expect(Format.rate(0) == "0")
        #expect(Format.rate(0.004) == "0.00")
        #expect(Format.rate(3.2) == "3.20")
        #expect(Format.rate(12.25) == "12.3")
        #expect(Format.rate(340.4) == "340")
        #expect(Format.rate(12_345) == "12.3k")
        #expect(Format.wait(milliseconds: 0) == "0ms")
        #expect(Format.wait(milliseconds: 999) == "999ms")
        #expect(Format.wait(milliseconds: 1_250) == "1.3s")
        #expect(Format.wait(milliseconds: 42_400) == "42s")
        #expect(Format.wait(milliseconds: 245_000) == "4m05s")
    }
}

@Suite struct HistoryBackfillTests {
    static func history(seconds: Int, used: Int64) -> HistoryStatus {
        HistoryStatus(used: Array(repeating: used, count: seconds), reserved: Array(repeating: 1_000, count: seconds))
    }

    @Test func aFirstSnapshotWithHistoryFillsTheChart() {
        var model = DashboardModel()
        var status = RatesRowTests.status(rates: nil)
        status.history = Self.history(seconds: 60, used: 100_000)
        model.apply(.connected, now: 500.2)
        model.apply(.snapshot(status), now: 500.2)
        #expect(model.history.count == 60)
        #expect(model.history.all.first?.second == 441 && model.history.all.last?.second == 500)
        // The live snapshot merged into the history's last second (its peak kept).
        #expect(model.history.latest?.used == 100_000 && model.history.latest?.committed == 101_000)

        let canvas = DashboardView.render(
            model: model, ui: DashboardUIState(), size: TerminalSize(width: 80, height: 24), glyphs: .unicode, now: 500.5)
        let chartRows = canvas.text.split(separator: "\n").filter { $0.hasPrefix("│") && $0.contains("██") }
        #expect(!chartRows.isEmpty, "the chart shows the minute before the dashboard attached:\n\(canvas.text)")
        // 80 columns show 10 s per column: a minute of history is the last 6 columns.
        let bottom = canvas.text.split(separator: "\n").first { $0.hasPrefix("│      0 ") }.map(String.init) ?? ""
        #expect(bottom.filter { $0 == "█" }.count == 6, "\(bottom)")
    }

    @Test func laterHistoryFillsOnlyWhatThisDashboardMissed() {
        var model = DashboardModel()
        var status = RatesRowTests.status(rates: nil)
        model.apply(.snapshot(status), now: 100.5)
        model.apply(.snapshot(status), now: 101.5)
        #expect(model.history.count == 2)
        // Back after a disconnect: the daemon's last 10 s; seconds 100 and 101 keep what was seen.
        status.history = Self.history(seconds: 10, used: 7)
        model.apply(.snapshot(status), now: 109.9)
        #expect(model.history.all.map(\.second) == Array(100...109))
        #expect(model.history.all.prefix(2).allSatisfy { $0.used == 60_000 })
        #expect(model.history.all.dropFirst(2).dropLast().allSatisfy { $0.used == 7 && $0.committed == 1_007 })
        #expect(model.history.latest?.used == 60_000, "the live snapshot's peak in its own second")
    }

    @Test func historyOfAnotherStepIsIgnored() {
        var model = DashboardModel()
        var status = RatesRowTests.status(rates: nil)
        status.history = HistoryStatus(stepMs: 500, used: [1, 2, 3], reserved: [0, 0, 0])
        model.apply(.snapshot(status), now: 10)
        #expect(model.history.count == 1)
    }
}
