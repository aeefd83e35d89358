import TokenGateWire

/// The organisation's hosts (status `cluster`, `serve --redis`): a header, then one line per host
/// with its workers, what its tickets hold of the shared windows (used, reserved), its waiters and
/// how long ago it was last heard of; this daemon's own host marked `*` and bold. While Redis is
/// unreachable a first line says so with the daemon's last error, and the hosts are as last heard.
public struct HostsPanel: Sendable {
    public var cluster: ClusterStatus
    /// Seconds since the snapshot arrived, to age the "last seen" column.
    public var snapshotAge: Double

    public init(cluster: ClusterStatus, snapshotAge: Double = 0) {
        self.cluster = cluster
        self.snapshotAge = snapshotAge
    }

    /// The mark before this daemon's own host.
    static let ownMark = "*"
    static let workersWidth = 3
    static let usedWidth = 6
    static let reservedWidth = 6
    static let waitingWidth = 4
    static let seenWidth = 5
    static let minHostWidth = 4
    /// Columns besides the host name's: the mark, the figures and a space before each.
    static let fixedWidth = 2 + workersWidth + usedWidth + reservedWidth + waitingWidth + seenWidth + 5

    /// The widest host name that fits a panel `width` columns wide (at least ``minHostWidth``).
    static func hostWidth(width: Int) -> Int { max(minHostWidth, width - 1 - fixedWidth) }

    /// The panel's width for its host names to show whole (up to `longest` columns).
    public static func preferredWidth(longestHost longest: Int) -> Int { 1 + fixedWidth + max(minHostWidth, longest) }

    /// Whether the daemon says it cannot reach Redis.
    public var isUnreachable: Bool { cluster.state == .unreachable }

    /// The lines for a panel `width` columns wide: the unreachable line when it is, the column
    /// header, then the hosts (this one first, the others by name).
    public func lines(width: Int, glyphs: Glyphs) -> [[TextSpan]] {
        var lines: [[TextSpan]] = []
        if isUnreachable {
            let reason = cluster.lastError.map { ": " + HostsPanel.reason($0) } ?? ""
            lines.append([TextSpan(glyphs.truncate("REDIS UNREACHABLE" + reason, to: max(1, width - 1)), CellStyle(.bad, bold: true))])
        }
        let nameWidth = HostsPanel.hostWidth(width: width)
        func row(_ mark: String, _ host: String, _ values: [String]) -> String {
            let widths = [HostsPanel.workersWidth, HostsPanel.usedWidth, HostsPanel.reservedWidth, HostsPanel.waitingWidth, HostsPanel.seenWidth]
            var text = mark.padding(2) + glyphs.truncate(host, to: nameWidth).padding(nameWidth)
            for (value, columns) in zip(values, widths) { text += " " + value.leftPadding(columns) }
            return text
        }
        lines.append([TextSpan(row("", "HOST", ["WRK", "USED", "RSV", "WAIT", "SEEN"]), CellStyle(bold: true))])
        let ageMs = Int64((snapshotAge * 1000).rounded(.down))
        for host in ordered() {
            let own = host.host == cluster.host
            let seen = Format.age(milliseconds: max(0, host.lastSeenMsAgo) + ageMs)
            let text = row(own ? HostsPanel.ownMark : "", host.host, [
                String(host.workers), Format.tokens(host.used), Format.tokens(host.reserved), String(host.waiting), seen,
            ])
            lines.append([TextSpan(text, own ? CellStyle(bold: true) : CellStyle(isUnreachable ? .muted : .normal))])
        }
        if cluster.hosts.isEmpty {
            lines.append([TextSpan("  no host heard of yet", .muted)])
        }
        return lines
    }

    /// `last_error` without the "Redis unreachable:" that the line already says (the daemon's
    /// error may carry it twice).
    static func reason(_ error: String) -> String {
        let prefix = "redis unreachable:"
        var reason = Substring(error)
        while reason.lowercased().hasPrefix(prefix) { reason = reason.dropFirst(prefix.count).drop { $0 == " " } }
        return String(reason)
    }

    /// This daemon's host first, then the others by name.
    func ordered() -> [HostStatus] {
        cluster.hosts.sorted { ($0.host == cluster.host ? 0 : 1, $0.host) < ($1.host == cluster.host ? 0 : 1, $1.host) }
    }

    /// Draws as many lines as fit into `rect`; when hosts are left out the last row says how many.
    public func draw(into canvas: inout Canvas, _ rect: Rect, glyphs: Glyphs) {
        guard rect.height > 0, rect.width > 1 else { return }
        var all = lines(width: rect.width, glyphs: glyphs)
        if all.count > rect.height {
            let hidden = all.count - rect.height + 1
            all = Array(all.prefix(rect.height - 1)) + [[TextSpan("  +\(hidden) more hosts", .muted)]]
        }
        for (index, line) in all.enumerated() where index < rect.height {
            canvas.write(truncated(line, to: rect.width - 1, glyphs: glyphs), x: rect.x + 1, y: rect.y + index, maxX: rect.maxX)
        }
    }
}
