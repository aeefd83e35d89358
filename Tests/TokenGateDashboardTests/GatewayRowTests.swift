import Testing
import TokenGateDashboard
import TokenGateWire

@Suite struct GatewayRowTests {
    static func status(gateway: GatewayStatus?) -> Status {
        var status = Status(
            state: .running, windowMs: 60_000, limit: 1_000_000, threshold: 0.9, used: 0, reserved: 0, inFlight: 0,
            waiting: 0, budgets: [BudgetStatus(name: "tokens", limit: 1_000_000, used: 0, reserved: 0)], workers: [],
            uptimeMs: 1_000, server: "tokengate/test")
        status.gateway = gateway
        return status
    }

    @Test func listenUpstreamAndCounts() {
        let row = GatewayRow(status: Self.status(gateway: GatewayStatus(
            listen: "127.0.0.1:8787", upstream: "https://api.anthropic.com", requests: 1204, inFlight: 3, errors: 1)))
        #expect(row.spans(glyphs: .unicode).map(\.text).joined()
            == "gateway 127.0.0.1:8787 -> https://api.anthropic.com · 1,204 requests · 3 in flight · 1 error")
        let narrow = row.spans(width: 80, glyphs: .unicode).map(\.text).joined()
        #expect(narrow.count == 80)
        #expect(narrow.hasPrefix("gateway 127.0.0.1:8787 -> "))
        #expect(narrow.hasSuffix("· 1,204 requests · 3 in flight · 1 error"))
    }

    @Test func absentWithoutAGatewayAndTheLayoutGrowsByOneRowWithOne() throws {
        #expect(GatewayRow(status: Self.status(gateway: nil)).isEmpty)
        let size = TerminalSize(width: 100, height: 30)
        let without = try #require(DashboardView.layout(for: Self.status(gateway: nil), size: size))
        let with = try #require(DashboardView.layout(for: Self.status(gateway: GatewayStatus(
            listen: "127.0.0.1:1", upstream: "http://u", requests: 0, inFlight: 0, errors: 0)), size: size))
        #expect(with.gauges.height == without.gauges.height + 1)
    }
}
