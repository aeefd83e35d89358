import Testing
import TokenGateDashboard

/// The whole screen as text, per scenario and size. The expected screens live in Snapshots/.
@Suite struct SnapshotTests {
    static let standard = TerminalSize(width: 80, height: 24)
    static let large = TerminalSize(width: 120, height: 40)
    static let tiny = TerminalSize(width: 40, height: 12)

    @Test(arguments: [
        (DashboardPreview.Scenario.running, "running"), (.paused, "paused"), (.cooldown, "cooldown"),
        (.disconnected, "disconnected"), (.connecting, "connecting"), (.budgets, "budgets"),
    ])
    func scenarioAtStandardAndLargeSizes(_ scenario: DashboardPreview.Scenario, _ name: String) {
        assertSnapshot(DashboardPreview.render(scenario, size: Self.standard).text, named: "\(name)-80x24")
        assertSnapshot(DashboardPreview.render(scenario, size: Self.large).text, named: "\(name)-120x40")
    }

    @Test func tooSmall() {
        let canvas = DashboardPreview.render(.running, size: Self.tiny)
        assertSnapshot(canvas.text, named: "too-small-40x12")
        #expect(canvas.text.contains("terminal too small (need 80x24)"))
    }

    @Test func oneBelowTheMinimumIsTooSmall() {
        #expect(DashboardPreview.render(.running, size: TerminalSize(width: 79, height: 24)).text.contains("too small"))
        #expect(DashboardPreview.render(.running, size: TerminalSize(width: 80, height: 23)).text.contains("too small"))
        #expect(!DashboardPreview.render(.running, size: Self.standard).text.contains("too small"))
    }

    @Test func narrowTerminalsGetTheMessageOnTwoLines() {
        let canvas = DashboardPreview.render(.running, size: TerminalSize(width: 24, height: 6))
        #expect(canvas.text.split(separator: "\n", omittingEmptySubsequences: false) == [
            "",
            "   terminal too small",
            "      (need 80x24)",
            "        now 24x6",
            "        q quits",
            "",
        ])
    }

    @Test func manyWorkersScrolledToTheSelection() {
        let standard = DashboardPreview.render(.running, size: Self.standard, workers: 200, selectedIndex: 57)
        assertSnapshot(standard.text, named: "many-workers-80x24")
        let large = DashboardPreview.render(.running, size: Self.large, workers: 200, selectedIndex: 150, sort: .name)
        assertSnapshot(large.text, named: "many-workers-by-name-120x40")
    }

    @Test func helpOverlay() {
        assertSnapshot(DashboardPreview.render(.running, size: Self.standard, showHelp: true).text, named: "help-80x24")
    }

    @Test func asciiGlyphs() {
        let canvas = DashboardPreview.render(.cooldown, size: Self.standard, glyphs: .ascii)
        assertSnapshot(canvas.text, named: "cooldown-ascii-80x24")
        #expect(canvas.cells.allSatisfy { $0.scalar.isASCII })
    }

    @Test func stylesOfTheRunningScreen() {
        assertSnapshot(DashboardPreview.render(.running, size: Self.standard).styleMap, named: "running-80x24.styles")
    }

    @Test func staleDataIsDimmedWhileDisconnected() {
        let canvas = DashboardPreview.render(.disconnected, size: Self.standard)
        #expect(canvas[5, 2].style.dim)
        #expect(canvas.text.contains("disconnected - retrying"))
        #expect(canvas[3, 1].style == CellStyle(.bad, bold: true, reverse: true))
    }

    @Test func renderingIsDeterministic() {
        #expect(DashboardPreview.render(.cooldown, size: Self.large) == DashboardPreview.render(.cooldown, size: Self.large))
    }
}

@Suite struct SnapshotDiffTests {
    @Test func diffShowsOnlyTheDifferingLinesNumbered() {
        let diff = lineDiff(expected: "a\nb\nc\n", actual: "a\nB\nc\nd\n")
        #expect(diff == """
            line   2  expected |b|
                      actual   |B|
            line   4  expected ||
                      actual   |d|
            line   5  expected |<missing>|
                      actual   ||
            line count: expected 4, actual 5
            """)
    }
}
