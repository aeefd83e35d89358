import Testing
import TokenGateDashboard

@Suite struct ChartTests {
    @Test func columnsSpanAtLeastFiveMinutes() {
        #expect(Chart.secondsPerColumn(columns: 300) == 1)
        #expect(Chart.secondsPerColumn(columns: 100) == 3)
        #expect(Chart.secondsPerColumn(columns: 37) == 10)
        #expect(Chart.secondsPerColumn(columns: 2) == 120)
    }

    @Test func historyKeepsThePeakOfEachSecondAndColumn() {
        var history = UsageHistory(seconds: 60)
        history.record(time: 10.1, used: 100, reserved: 5, limit: 1_000, threshold: 0.9)
        history.record(time: 10.6, used: 300, reserved: 0, limit: 1_000, threshold: 0.9)
        history.record(time: 10.9, used: 200, reserved: 0, limit: 1_000, threshold: 0.9)
        history.record(time: 11.2, used: 50, reserved: 0, limit: 1_000, threshold: 0.9)
        history.record(time: 14.0, used: 70, reserved: 0, limit: 1_000, threshold: 0.9)
        #expect(history.count == 3)
        #expect(history.latest?.used == 70)
        // Two-second columns ending with second 14: [9,10] [11,12] [13,14].
        let columns = history.columns(count: 3, secondsPerColumn: 2, now: 14.5)
        #expect(columns[0]?.used == 300)
        #expect(columns[0]?.committed == 300)
        #expect(columns[1]?.used == 50)
        #expect(columns[2]?.used == 70)
        // Nothing recorded in a column: nil, not zero.
        #expect(history.columns(count: 2, secondsPerColumn: 1, now: 13.0) == [nil, nil])
    }

    @Test func historyIsBounded() {
        var history = UsageHistory(seconds: 10)
        for second in 0..<100 {
            history.record(time: Double(second), used: Int64(second), reserved: 0, limit: 100, threshold: 0.9)
        }
        #expect(history.count == 10)
        #expect(history.all.first?.second == 90)
        #expect(history.all.last?.second == 99)
    }

    @Test func historyIgnoresTimeGoingBackwards() {
        var history = UsageHistory(seconds: 10)
        history.record(time: 5, used: 1, reserved: 0, limit: 100, threshold: 0.9)
        history.record(time: 3, used: 9, reserved: 0, limit: 100, threshold: 0.9)
        #expect(history.all.map(\.used) == [1])
    }

    @Test func verticalSteps() {
        #expect(Chart.steps(for: 0, top: 100, rows: 4, stepsPerCell: 8) == 0)
        #expect(Chart.steps(for: 1, top: 100, rows: 4, stepsPerCell: 8) == 1)
        #expect(Chart.steps(for: 50, top: 100, rows: 4, stepsPerCell: 8) == 16)
        #expect(Chart.steps(for: 500, top: 100, rows: 4, stepsPerCell: 8) == 32)
    }

    @Test func scaleLeavesTheTopRowAboveTheThreshold() {
        // 7 rows: the threshold sits on the boundary below the top row.
        let top = Chart.scaleTop(peak: 0, ceiling: 1_620_000, rows: 7)
        #expect(top == 1_890_000)
        #expect(Chart.row(for: 1_620_000, top: top, rows: 7) == 0)
        #expect(Chart.row(for: 1_619_999, top: top, rows: 7) == 1)
        // A higher peak raises the scale and moves the threshold down.
        let high = Chart.scaleTop(peak: 3_240_000, ceiling: 1_620_000, rows: 8)
        #expect(high == 3_240_000)
        #expect(Chart.row(for: 1_620_000, top: high, rows: 8) == 3)
    }

    @Test func drawsBarsAndTheThresholdLine() {
        // 20 plot columns of 15 s each; column i holds the peak i x 50 of a 1000 limit.
        var history = UsageHistory()
        for index in 0..<20 {
            history.record(time: Double(index * 15), used: Int64(index) * 50, reserved: 0, limit: 1_000, threshold: 0.9)
        }
        var canvas = Canvas(size: TerminalSize(width: 28, height: 4))
        Chart(history: history, limit: 1_000, threshold: 0.9, now: 285).draw(into: &canvas, canvas.bounds, glyphs: .unicode)
        // The scale rounds up to 1.5k, labelled on the top row, so the threshold 900 sits on the
        // second: 32 steps of 1500, column i fills 1.07 i eighths.
        #expect(canvas.text == """
               1.5k
               90% ╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌▁▂▃▄
                            ▁▂▃▄▅▆▇█████
                  0  ▁▂▃▄▅▆▇████████████
            """)
    }

    @Test("the scale's top is a round figure, and the threshold leaves the top row for its label")
    func roundScale() {
        #expect(Chart.roundUp(147_300) == 150_000)
        #expect(Chart.roundUp(151_900) == 200_000)
        #expect(Chart.roundUp(1_201) == 1_500)
        #expect(Chart.roundUp(1) == 1)
        // The demo's 150k limit at 0.9 on 9 rows: 200k (150k would put the threshold on the top row).
        let top = Chart.roundTop(peak: 0, ceiling: 135_000, rows: 9)
        #expect(top == 200_000)
        #expect(Chart.row(for: 135_000, top: top, rows: 9) == 2)
        // 80x24 leaves a short chart: still a round top above the threshold's row.
        let short = Chart.roundTop(peak: 0, ceiling: 1_620_000, rows: 4)
        #expect(short == 2_500_000)
        #expect(Chart.row(for: 1_620_000, top: short, rows: 4) >= 1)
    }
}
