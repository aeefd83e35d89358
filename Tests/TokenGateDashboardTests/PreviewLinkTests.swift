#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Testing
import TokenGateDashboard
import TokenGateWire

@Suite struct PreviewLinkTests {
    @Test func streamsSnapshotsAndObeysTheControls() async throws {
        let link = PreviewLink(workers: 4, interval: .milliseconds(10))
        var iterator = link.events().makeAsyncIterator()
        #expect(await iterator.next() == .connected)
        guard case .snapshot(let first)? = await iterator.next() else {
            Issue.record("expected a snapshot")
            return
        }
        #expect(first.workers.count == 4)
        try await link.pause()
        try await link.setLimit(2_000_000)
        var sawPaused = false
        for _ in 0..<20 {
            if case .snapshot(let status)? = await iterator.next(), status.state == .paused, status.limit == 2_000_000 {
                sawPaused = true
                break
            }
        }
        #expect(sawPaused)
        #expect(await link.received == [.pause(pool: nil), .setLimit(2_000_000, pool: nil)])
    }

    @Test func runDashboardNeedsATerminal() async {
        // Under `swift test` standard input is not a terminal; when it is (run by hand), skip.
        guard isatty(STDIN_FILENO) == 0 || isatty(STDOUT_FILENO) == 0 else { return }
        await #expect(throws: DashboardError.notATerminal) {
            _ = try await runDashboard(link: PreviewLink(), socketLabel: "x")
        }
    }
}
