import Testing
import TokenGateDashboard

@Suite struct KeyMapTests {
    @Test(arguments: [
        (DashboardKey.character("p"), DashboardAction.togglePause),
        (.character("+"), .raiseLimit), (.character("="), .raiseLimit), (.character("-"), .lowerLimit),
        (.character("s"), .nextSort), (.character("S"), .previousSort),
        (.up, .selectPrevious), (.character("k"), .selectPrevious),
        (.down, .selectNext), (.character("j"), .selectNext),
        (.pageUp, .pageUp), (.pageDown, .pageDown), (.home, .selectFirst), (.end, .selectLast),
        (.character("g"), .selectFirst), (.character("G"), .selectLast),
        (.character("?"), .toggleHelp), (.character("q"), .quit), (.controlC, .quit),
        (.character("\u{0C}"), .redraw), (.character("\u{1A}"), .suspend), (.resize, .resize),
        (.character("x"), .toggleWorkerPause), (.character("c"), .editCap), (.character("/"), .editFilter),
        (.enter, .toggleDetail),
    ])
    func keys(_ key: DashboardKey, _ action: DashboardAction) {
        #expect(KeyMap.action(for: key) == action)
    }

    @Test func unknownKeysDoNothing() {
        #expect(KeyMap.action(for: .character("z")) == nil)
        #expect(KeyMap.action(for: .escape) == nil)
        #expect(KeyMap.action(for: .character(" ")) == nil)
        #expect(KeyMap.action(for: .other(0o410)) == nil)
    }

    @Test func enterAndEscapeAnswerTheLimitConfirmLine() {
        let open = KeyContext(limitProposalOpen: true, detailShown: true, filterActive: true)
        #expect(KeyMap.action(for: .enter, in: open) == .confirmLimit)
        #expect(KeyMap.action(for: .escape, in: open) == .cancelLimit)
    }

    @Test func escapeClosesTheDetailPaneThenClearsTheFilter() {
        #expect(KeyMap.action(for: .escape, in: KeyContext(detailShown: true, filterActive: true)) == .closeDetail)
        #expect(KeyMap.action(for: .escape, in: KeyContext(filterActive: true)) == .clearFilter)
        #expect(KeyMap.action(for: .enter, in: KeyContext(detailShown: true)) == .toggleDetail)
    }

    @Test func anInputLineTakesEveryPrintableCharacterButCtrlCStillQuits() {
        let input = KeyContext(inputOpen: true)
        #expect(KeyMap.action(for: .character("q"), in: input) == .type("q"))
        #expect(KeyMap.action(for: .character("x"), in: input) == .type("x"))
        #expect(KeyMap.action(for: .character("%"), in: input) == .type("%"))
        #expect(KeyMap.action(for: .character("/"), in: input) == .type("/"))
        #expect(KeyMap.action(for: .character("\u{7F}"), in: input) == .deleteBackward)
        #expect(KeyMap.action(for: .character("\u{08}"), in: input) == .deleteBackward)
        #expect(KeyMap.action(for: .other(0o407), in: input) == .deleteBackward)
        #expect(KeyMap.action(for: .enter, in: input) == .submitInput)
        #expect(KeyMap.action(for: .escape, in: input) == .cancelInput)
        #expect(KeyMap.action(for: .controlC, in: input) == .quit)
        #expect(KeyMap.action(for: .character("\t"), in: input) == nil)
        #expect(KeyMap.action(for: .up, in: input) == nil)
        #expect(KeyMap.action(for: .resize, in: input) == .resize)
    }

    @Test func withHelpShownAnyKeyClosesItButQuitStillQuits() {
        #expect(KeyMap.action(for: .character("p"), helpShown: true) == .closeHelp)
        #expect(KeyMap.action(for: .escape, helpShown: true) == .closeHelp)
        #expect(KeyMap.action(for: .character("?"), helpShown: true) == .closeHelp)
        #expect(KeyMap.action(for: .character("q"), helpShown: true) == .quit)
        #expect(KeyMap.action(for: .controlC, helpShown: true) == .quit)
        #expect(KeyMap.action(for: .resize, helpShown: true) == .resize)
    }
}
