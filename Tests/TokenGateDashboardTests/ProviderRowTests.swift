import Testing
import TokenGateDashboard
import TokenGateWire

@Suite struct ProviderRowTests {
    static func status(budgets: [BudgetStatus]) -> Status {
        Status(
            state: .running, windowMs: 60_000, limit: 1_000_000, threshold: 0.9, used: 400_000, reserved: 100_000,
            inFlight: 1, waiting: 0, cooldownRemainingMs: nil, budgets: budgets, workers: [], uptimeMs: 1_000,
            server: "tokengate test")
    }

    @Test func providerAndLocalFiguresSideBySideAndNamed() {
        let status = Self.status(budgets: [
            BudgetStatus(
                name: "tokens", limit: 1_000_000, used: 400_000, reserved: 100_000, external: 200_000,
                providerRemaining: 300_000, providerLimit: 1_000_000, providerObservedMsAgo: 3_200),
            BudgetStatus(name: "output", limit: 200_000, used: 10_000, reserved: 0),
        ])
        let row = ProviderRow(status: status, order: ["tokens", "output"])
        #expect(row.entries == [
            ProviderRow.Entry(budget: "tokens", providerRemaining: 300_000, localRemaining: 500_000, observedMsAgo: 3_200)
        ])
        let text = row.spans().map(\.text).joined()
        #expect(text == "provider tokens 300.0k left · local 500.0k left · 3s ago")
    }

    @Test func onlyWholeBudgetsThatFitThenTheAge() {
        let status = Self.status(budgets: [
            BudgetStatus(
                name: "tokens", limit: 1_000_000, used: 0, reserved: 0, providerRemaining: 900_000, providerObservedMsAgo: 500),
            BudgetStatus(
                name: "input", limit: 1_000_000, used: 0, reserved: 0, providerRemaining: 800_000, providerObservedMsAgo: 700),
        ])
        let row = ProviderRow(status: status, order: ["tokens", "input"])
        let wide = row.spans().map(\.text).joined()
        #expect(wide == "provider tokens 900.0k left · local 1.00M left   input 800.0k left · local 1.00M left · now")
        let narrow = row.spans(width: 60).map(\.text).joined()
        #expect(narrow == "provider tokens 900.0k left · local 1.00M left · now")
    }

    @Test func noProviderReadingNoRowAndNoExtraLayoutRow() {
        let plain = Self.status(budgets: [BudgetStatus(name: "tokens", limit: 1_000_000, used: 1, reserved: 0)])
        #expect(ProviderRow(status: plain, order: ["tokens"]).isEmpty)
        let size = TerminalSize(width: 80, height: 24)
        let without = DashboardView.layout(for: plain, size: size)
        var observed = plain
        observed.budgets[0].providerRemaining = 5_000
        let with = DashboardView.layout(for: observed, size: size)
        #expect(without?.gauges.height == 1)
        #expect(with?.gauges.height == 2)
    }

    @Test func theScreenShowsTheProviderRowUnderTheGauges() {
        let text = DashboardPreview.render(.budgets, size: TerminalSize(width: 80, height: 24)).text
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count > 6)
        #expect(lines[6].hasPrefix(" provider tokens "))
        #expect(lines[6].contains("· local "))
    }
}
