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
    ])
    func keys(_ key: DashboardKey, _ action: DashboardAction) {
        #expect(KeyMap.action(for: key) == action)
    }

    @Test func unknownKeysDoNothing() {
        #expect(KeyMap.action(for: .character("x")) == nil)
        #expect(KeyMap.action(for: .character(" ")) == nil)
        #expect(KeyMap.action(for: .other(0o410)) == nil)
    }

    @Test func enterAndEscapeAnswerTheLimitConfirmLine() {
        #expect(KeyMap.action(for: .enter) == .confirmLimit)
        #expect(KeyMap.action(for: .escape) == .cancelLimit)
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
