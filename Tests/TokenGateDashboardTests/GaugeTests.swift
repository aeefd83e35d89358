import Testing
import TokenGateDashboard

@Suite struct GaugeGeometryTests {
    @Test func usedFillsWholeCellsThenEighths() {
        // 55 % of 10 cells = 5.5 cells = 44 eighths: 5 full cells and a half block.
        let gauge = GaugeGeometry(width: 10, limit: 1_000, used: 550, reserved: 0, threshold: 0.9)
        #expect(gauge.usedSteps == 44)
        #expect(gauge.fullCells == 5)
        #expect(gauge.partialSteps == 4)
        #expect(gauge.part(at: 4) == .used(steps: 8))
        #expect(gauge.part(at: 5) == .used(steps: 4))
        #expect(gauge.part(at: 6) == .empty)
    }

    @Test func eighthsRoundToTheNearestStep() {
        // 1/80 of the limit is exactly one eighth of one cell of ten.
        #expect(GaugeGeometry(width: 10, limit: 8_000, used: 100, reserved: 0, threshold: 0.9).usedSteps == 1)
        #expect(GaugeGeometry(width: 10, limit: 8_000, used: 149, reserved: 0, threshold: 0.9).usedSteps == 1)
        #expect(GaugeGeometry(width: 10, limit: 8_000, used: 151, reserved: 0, threshold: 0.9).usedSteps == 2)
    }

    @Test func anyUsageShowsAtLeastOneEighth() {
        let gauge = GaugeGeometry(width: 40, limit: 1_800_000, used: 1, reserved: 0, threshold: 0.9)
        #expect(gauge.usedSteps == 1)
        #expect(gauge.part(at: 0) == .used(steps: 1))
    }

    @Test func usageOverTheLimitIsClamped() {
        let gauge = GaugeGeometry(width: 20, limit: 100, used: 250, reserved: 50, threshold: 0.9)
        #expect(gauge.usedSteps == 160)
        #expect(gauge.committedCells == 20)
        #expect(gauge.reservedCells.isEmpty)
    }

    @Test func thresholdMarkerSitsInTheFirstCellPastTheThreshold() {
        #expect(GaugeGeometry(width: 40, limit: 100, used: 0, reserved: 0, threshold: 0.9).markerColumn == 36)
        #expect(GaugeGeometry(width: 36, limit: 100, used: 0, reserved: 0, threshold: 0.9).markerColumn == 32)
        #expect(GaugeGeometry(width: 10, limit: 100, used: 0, reserved: 0, threshold: 0.5).markerColumn == 5)
        #expect(GaugeGeometry(width: 10, limit: 100, used: 0, reserved: 0, threshold: 0.99).markerColumn == 9)
        #expect(GaugeGeometry(width: 10, limit: 100, used: 0, reserved: 0, threshold: 1.0).markerColumn == nil)
    }

    @Test func usageUpToTheThresholdTouchesTheMarker() {
        let gauge = GaugeGeometry(width: 40, limit: 1_000, used: 900, reserved: 0, threshold: 0.9)
        #expect(gauge.fullCells == 36)
        #expect(gauge.part(at: 35) == .used(steps: 8))
        #expect(gauge.part(at: 36) == .marker(over: false))
    }

    @Test func markerOverAFilledCellSaysSo() {
        let gauge = GaugeGeometry(width: 10, limit: 100, used: 95, reserved: 0, threshold: 0.5)
        #expect(gauge.part(at: 5) == .marker(over: true))
    }

    @Test func reservedFollowsUsedAndShowsAtLeastOneCell() {
        let gauge = GaugeGeometry(width: 10, limit: 1_000, used: 300, reserved: 200, threshold: 0.9)
        #expect(gauge.fullCells == 3)
        #expect(gauge.reservedCells == 3..<5)
        let tiny = GaugeGeometry(width: 10, limit: 1_000_000, used: 300_000, reserved: 1, threshold: 0.9)
        #expect(tiny.reservedCells == 3..<4)
        // A partly used cell is not shared with reserved.
        let partial = GaugeGeometry(width: 10, limit: 1_000, used: 350, reserved: 200, threshold: 0.9)
        #expect(partial.part(at: 3) == .used(steps: 4))
        #expect(partial.reservedCells == 4..<6)
    }

    @Test func externalSitsBetweenUsedAndReserved() {
        let gauge = GaugeGeometry(width: 10, limit: 1_000, used: 200, reserved: 100, threshold: 0.9, external: 300)
        #expect(gauge.externalCells == 2..<5)
        #expect(gauge.reservedCells == 5..<6)
        #expect(gauge.part(at: 4) == .external)
        #expect(gauge.part(at: 5) == .reserved)
    }

    @Test func asciiCountsWholeCells() {
        let gauge = GaugeGeometry(width: 10, limit: 1_000, used: 560, reserved: 0, threshold: 0.9, stepsPerCell: 1)
        #expect(gauge.usedSteps == 6)
        #expect(gauge.partialSteps == 0)
    }

    @Test func zeroLimitDrawsNothing() {
        let gauge = GaugeGeometry(width: 10, limit: 0, used: 5, reserved: 5, threshold: 0.9)
        #expect(gauge.usedSteps == 0 && gauge.committedCells == 0 && gauge.markerColumn == nil)
    }
}

@Suite struct GaugeDrawingTests {
    func row(_ gauge: Gauge, glyphs: Glyphs = .unicode, width: Int = 60) -> Canvas {
        var canvas = Canvas(size: TerminalSize(width: width, height: 1))
        gauge.draw(into: &canvas, canvas.bounds, glyphs: glyphs)
        return canvas
    }

    @Test func unicodeRow() {
        let canvas = row(Gauge(name: "tokens", limit: 1_000, used: 550, reserved: 100, threshold: 0.9))
        // Bar of 12 cells: 6.6 cells used (6 and 5 eighths), reserved to 7.8 -> 8, marker at 10;
        // the reserved figure is labelled.
        #expect(canvas.text == "tokens   ██████▋▒░░┃░  55%     550 +100 rsv    /   1.0k ok")
    }

    @Test func asciiRow() {
        let canvas = row(Gauge(name: "tokens", limit: 1_000, used: 550, reserved: 100, threshold: 0.9), glyphs: .ascii)
        // 6.6 cells round to 7 whole cells.
        #expect(canvas.text == "tokens   #######+..|.  55%     550 +100 rsv    /   1.0k ok")
    }

    @Test func levelsAreWordsNotOnlyColours() {
        let ok = Gauge(name: "t", limit: 1_000, used: 100, reserved: 0, threshold: 0.9)
        let near = Gauge(name: "t", limit: 1_000, used: 700, reserved: 0, threshold: 0.9)
        let full = Gauge(name: "t", limit: 1_000, used: 850, reserved: 60, threshold: 0.9)
        #expect(ok.level == .ok && near.level == .near && full.level == .full)
        #expect(row(near).text.hasSuffix("NEAR"))
        #expect(row(full).text.hasSuffix("FULL"))
        let word = row(full)
        let wordStart = word.width - 4
        #expect(word[wordStart, 0].style == CellStyle(.bad, bold: true, reverse: true))
    }

    @Test func markerIsHighlighted() {
        let canvas = row(Gauge(name: "tokens", limit: 1_000, used: 950, reserved: 0, threshold: 0.9))
        let markerX = 9 + 10
        #expect(canvas[markerX, 0].scalar == "┃")
        #expect(canvas[markerX, 0].style.reverse && canvas[markerX, 0].style.bold)
    }

    @Test func externalColumnShowsTheFigure() {
        var gauge = Gauge(name: "input", limit: 1_000, used: 200, reserved: 0, threshold: 0.9, external: 300)
        #expect(gauge.showsExternalColumn)
        #expect(row(gauge, width: 70).text.hasSuffix("ok   ext 300"))
        gauge.external = 0
        gauge.showsExternalColumn = true
        #expect(row(gauge, width: 70).text.hasSuffix(" ok"))
    }
}
