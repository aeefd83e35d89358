import Foundation
import Testing
import TokenGateDashboard
import TokenGateWire

/// The hosts panel, the HOST column and the REDIS UNREACHABLE badge (status `cluster`, `serve
/// --redis`), rendered to the canvas; without `cluster` the screen is the one of the other snapshots.
@Suite struct HostsPanelTests {
    static let standard = TerminalSize(width: 80, height: 24)
    static let large = TerminalSize(width: 120, height: 40)

    static func lines(_ canvas: Canvas) -> [String] {
        canvas.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    @Test func snapshotsAtStandardAndLargeSizes() {
        assertSnapshot(DashboardPreview.render(.hosts, size: Self.standard).text, named: "hosts-80x24")
        assertSnapshot(DashboardPreview.render(.hosts, size: Self.large).text, named: "hosts-120x40")
        assertSnapshot(DashboardPreview.render(.hostsUnreachable, size: Self.standard).text, named: "hosts-unreachable-80x24")
        assertSnapshot(DashboardPreview.render(.hostsUnreachable, size: Self.large).text, named: "hosts-unreachable-120x40")
    }

    @Test(arguments: [standard, large])
    func everyHostWithItsFiguresThisOneMarkedFirst(_ size: TerminalSize) throws {
        let canvas = DashboardPreview.render(.hosts, size: size)
        let lines = Self.lines(canvas)
        let status = DashboardPreview.model(.hosts).status
        let cluster = try #require(status?.cluster)
        #expect(canvas.text.contains("Hosts 3  org acme"), "\(canvas.text)")
        let header = try #require(lines.firstIndex { $0.contains("HOST") && $0.contains("WRK") && $0.contains("SEEN") })
        for header in ["USED", "RSV", "WAIT"] { #expect(lines.contains { $0.contains(header) }) }
        let own = try #require(lines.firstIndex { $0.contains("* gpu-a") }, "this host marked:\n\(canvas.text)")
        #expect(own == header + 1, "this host comes first:\n\(canvas.text)")
        let gpuA = try #require(cluster.hosts.first { $0.host == "gpu-a" })
        #expect(lines[own].contains(Format.tokens(gpuA.used)), "\(lines[own])")
        let gpuB = try #require(cluster.hosts.first { $0.host == "gpu-b" })
        let other = try #require(lines.first { $0.contains("gpu-b") && !$0.contains("* gpu-b") })
        #expect(other.contains(Format.tokens(gpuB.used)) && other.contains(Format.tokens(gpuB.reserved)), "\(other)")
        #expect(lines.contains { $0.contains("cpu-c") })
        // The bold mark is on this host's line only.
        let x = try #require(lines[own].range(of: "gpu-a")).lowerBound.utf16Offset(in: lines[own])
        #expect(canvas[x, own].style.bold)
        // The hosts come first; the queue gets the rows left (at 80x24 with three hosts: its first line).
        let queue = try #require(lines.firstIndex { $0.contains("├ Queue") }, "\(canvas.text)")
        #expect(lines[queue + 1].contains("waiting  0  in flight"), "\(canvas.text)")
        #expect(lines[0].contains("RUNNING") && !canvas.text.contains("UNREACHABLE"))
    }

    @Test("with the shared windows in status, the gauges show the organisation's figures; the workers and the queue stay this host's")
    func gaugesShowTheOrganisation() throws {
        var status = try #require(DashboardPreview.model(.hosts).status)
        let local = (used: status.used, waiting: status.waiting, workers: status.workers)
        var plain = DashboardModel()
        plain.receive(status, now: 1)
        #expect(plain.status?.used == local.used)
        status.cluster?.pools = [ClusterPoolStatus(name: "default", used: local.used + 123_000, reserved: 45_000, waiting: 7, external: 5_000)]
        var model = DashboardModel()
        model.receive(status, now: 1)
        let shown = try #require(model.status)
        #expect(shown.used == local.used + 123_000 && shown.reserved == 45_000)
        #expect(shown.waiting == local.waiting && shown.workers == local.workers)
        let tokens = try #require(DashboardView.gauges(for: shown).first { $0.name == "tokens" })
        #expect(tokens.used == local.used + 123_000 && tokens.reserved == 45_000 && tokens.external == 5_000)
        #expect(model.history.latest?.used == local.used + 123_000)
    }

    @Test(arguments: [standard, large])
    func workerTableHasAHostColumnWithTheCluster(_ size: TerminalSize) throws {
        let lines = Self.lines(DashboardPreview.render(.hosts, size: size))
        let header = try #require(lines.first { $0.contains("WORKER") })
        #expect(header.contains("HOST"), "\(header)")
        let row = try #require(lines.first { $0.contains("eval-02") && $0.contains("gpu-a") }, "\(lines.joined(separator: "\n"))")
        #expect(row.hasSuffix("│") || row.hasSuffix("█"), "the row stays inside its box: \(row)")
        // At 80 columns OLDEST gives its room to HOST; wider, both show.
        #expect(header.contains("OLDEST") == (size.width >= 100), "\(header)")
        #expect(header.contains("SEEN"), "\(header)")
    }

    @Test func withoutTheClusterNothingOfItShows() {
        for scenario in DashboardPreview.Scenario.allCases where scenario != .hosts && scenario != .hostsUnreachable {
            let text = DashboardPreview.render(scenario, size: Self.standard).text
            #expect(!text.contains("Hosts") && !text.contains("HOST") && !text.contains("REDIS"), "\(scenario)")
            let help = DashboardPreview.render(scenario, size: Self.standard, showHelp: true).text
            #expect(!help.contains("REDIS UNREACHABLE"), "\(scenario)")
        }
    }

    @Test(arguments: [standard, large])
    func unreachableRedisIsTheBadgeAndTheFirstLine(_ size: TerminalSize) throws {
        let canvas = DashboardPreview.render(.hostsUnreachable, size: size)
        let lines = Self.lines(canvas)
        #expect(lines[0].contains("REDIS UNREACHABLE") && !lines[0].contains("RUNNING"), "\(lines[0])")
        let badgeX = try #require(lines[0].range(of: "REDIS UNREACHABLE")).lowerBound.utf16Offset(in: lines[0])
        #expect(canvas[badgeX, 0].style == CellStyle(.bad, bold: true, reverse: true))
        #expect(canvas.text.contains("UNREACHABLE "), "the hosts box's title says it too")
        let reason = try #require(lines.first { $0.contains("REDIS UNREACHABLE: connection refused") }, "\(canvas.text)")
        #expect(reason.hasSuffix("┐") || reason.hasSuffix("│"), "the error is cut to the box: \(reason)")
        #expect(lines.contains { $0.contains("* gpu-a") }, "the hosts stay on screen as last heard")
    }

    @Test func unreachableShowsOnTheFrameAfterTheSnapshotThatSaysSo() {
        var model = DashboardPreview.model(.hosts)
        let ui = DashboardUIState()
        let before = DashboardView.render(model: model, ui: ui, size: Self.standard, glyphs: .unicode, now: DashboardPreview.now)
        #expect(!before.text.contains("REDIS UNREACHABLE"))
        var status = DashboardPreview.status(.hosts, at: DashboardPreview.now)
        status.cluster?.state = .unreachable
        status.cluster?.lastError = "timed out"
        model.apply(.snapshot(status), now: DashboardPreview.now + 0.5)
        let after = DashboardView.render(model: model, ui: ui, size: Self.standard, glyphs: .unicode, now: DashboardPreview.now + 0.5)
        #expect(Self.lines(after)[0].contains("REDIS UNREACHABLE"))
        #expect(after.text.contains("REDIS UNREACHABLE: timed out"))
    }

    @Test func theErrorIsNotSaidTwice() {
        let cluster = ClusterStatus(
            state: .unreachable, org: "o", hosts: [], host: "a", lastError: "Redis unreachable: Redis unreachable: connection refused")
        let first = HostsPanel(cluster: cluster).lines(width: 60, glyphs: .unicode)[0].map(\.text).joined()
        #expect(first == "REDIS UNREACHABLE: connection refused", "\(first)")
    }

    @Test func manyHostsAreCutWithACount() throws {
        var status = DashboardPreview.status(.hosts, at: DashboardPreview.now)
        status.cluster?.hosts = (0..<12).map {
            HostStatus(host: "host-\($0)", workers: 1, used: 1_000, reserved: 0, waiting: 0, lastSeenMsAgo: 100)
        }
        status.cluster?.host = "host-7"
        var model = DashboardModel()
        model.apply(.snapshot(status), now: 1)
        let canvas = DashboardView.render(model: model, ui: DashboardUIState(), size: Self.standard, glyphs: .unicode, now: 1)
        let lines = Self.lines(canvas)
        #expect(canvas.text.contains("Hosts 12"))
        #expect(lines.contains { $0.contains("* host-7") }, "this host shows first among many:\n\(canvas.text)")
        let more = try #require(lines.firstIndex { $0.contains("more hosts") }, "\(canvas.text)")
        // Six rows: the header, this host, three others and the count of the other eight.
        #expect(lines[more].contains("+8 more hosts") && lines[more].hasSuffix("│"), "\(lines[more])")
        #expect(lines[more - 4].contains("* host-7") && lines[more - 3].contains("host-0"), "\(canvas.text)")
        #expect(lines[more + 1].hasPrefix("└") || lines[more + 1].contains("┘"), "the box closes under it:\n\(canvas.text)")
        #expect(!lines.contains { $0.contains("Queue") }, "no room left for the queue")
    }

    @Test func longHostNamesAreCutNotSpilled() {
        let cluster = ClusterStatus(
            state: .connected, org: "o",
            hosts: [HostStatus(host: "a-very-long-host-name.example.internal", workers: 3, used: 12_345, reserved: 1, waiting: 4, lastSeenMsAgo: 0)],
            host: "a-very-long-host-name.example.internal")
        let lines = HostsPanel(cluster: cluster).lines(width: 40, glyphs: .unicode)
        #expect(lines.count == 2)
        let row = lines[1].map(\.text).joined()
        #expect(row.count <= 39, "\(row)")
        #expect(row.hasPrefix("* a-very-") && row.contains("…") && row.contains("12.3k"), "\(row)")
    }

    @Test func everySizeDrawsInsideItsBoxesAndTinyOnesSayTooSmall() {
        for scenario in [DashboardPreview.Scenario.hosts, .hostsUnreachable] {
            for width in stride(from: 80, through: 200, by: 7) {
                for height in stride(from: 24, through: 60, by: 5) {
                    let lines = Self.lines(DashboardPreview.render(scenario, size: TerminalSize(width: width, height: height)))
                    #expect(lines.count == height)
                    #expect(lines.allSatisfy { $0.count <= width }, "\(scenario) \(width)x\(height)")
                    let hosts = lines.first { $0.contains("Hosts") }
                    #expect(hosts?.hasSuffix("┐") == true, "\(scenario) \(width)x\(height): \(hosts ?? "no hosts box")")
                    let table = lines.first { $0.contains("WORKER") }
                    #expect(table?.hasSuffix("│") == true, "\(scenario) \(width)x\(height): \(table ?? "no table")")
                }
            }
            for size in [TerminalSize(width: 1, height: 1), TerminalSize(width: 20, height: 5), TerminalSize(width: 79, height: 24)] {
                #expect(DashboardPreview.render(scenario, size: size).text.contains("too small") || size.width < 20)
            }
        }
    }

    @Test func helpMentionsTheHostsWithTheCluster() {
        let text = DashboardPreview.render(.hosts, size: Self.standard, showHelp: true).text
        #expect(text.contains("Hosts") && text.contains("* this one") && text.contains("REDIS UNREACHABLE"), "\(text)")
        #expect(text.contains("any key closes"), "the help fits at 80x24:\n\(text)")
    }
}
