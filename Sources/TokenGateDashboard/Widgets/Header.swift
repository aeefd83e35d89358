import TokenGateWire

/// The top two rows: name and version, socket and a state badge; then limit, window, threshold,
/// counts and uptime; ` REDIS UNREACHABLE ` as the badge while a daemon of several hosts cannot
/// reach Redis. While the link is down the second row is the "disconnected - retrying" banner.
public struct Header: Sendable {
    public var model: DashboardModel
    public var socketLabel: String
    public var now: Double

    public init(model: DashboardModel, socketLabel: String, now: Double) {
        self.model = model
        self.socketLabel = socketLabel
        self.now = now
    }

    /// The badge: text and style. Never colour alone: the word says the state, reverse video marks it.
    public func badge(glyphs: Glyphs) -> TextSpan {
        switch model.connection {
        case .connecting:
            return TextSpan(" CONNECTING ", CellStyle(.muted, bold: true, reverse: true))
        case .disconnected:
            return TextSpan(" OFFLINE ", CellStyle(.bad, bold: true, reverse: true))
        case .connected:
            break
        }
        guard let status = model.status else {
            return TextSpan(" CONNECTING ", CellStyle(.muted, bold: true, reverse: true))
        }
        if status.cluster?.state == .unreachable {
            // The daemon grants nothing until Redis answers again, whatever its own state.
            return TextSpan(" REDIS UNREACHABLE ", CellStyle(.bad, bold: true, reverse: true))
        }
        switch status.state {
        case .running:
            return TextSpan(" \(Character(glyphs.running)) RUNNING ", CellStyle(.good, bold: true, reverse: true))
        case .paused:
            return TextSpan(" \(Character(glyphs.paused)) PAUSED ", CellStyle(.warn, bold: true, reverse: true))
        case .cooldown:
            let left = Format.countdown(milliseconds: model.cooldownRemainingMs(now: now) ?? 0)
            return TextSpan(" COOLDOWN \(left) ", CellStyle(.bad, bold: true, reverse: true))
        }
    }

    /// `tokengate/0.1.0` split into name and version.
    static func nameAndVersion(_ server: String?) -> (String, String) {
        guard let server, let slash = server.firstIndex(of: "/") else { return (server ?? "tokengate", "") }
        return (String(server[..<slash]), String(server[server.index(after: slash)...]))
    }

    /// Draws the two rows at the top of `rect`.
    public func draw(into canvas: inout Canvas, _ rect: Rect, glyphs: Glyphs) {
        guard rect.height >= 2 else { return }
        drawTitleRow(into: &canvas, rect.row(0), glyphs: glyphs)
        if case .disconnected(let reason, let since) = model.connection {
            drawBanner(into: &canvas, rect.row(1), reason: reason, since: since, glyphs: glyphs)
        } else {
            drawFiguresRow(into: &canvas, rect.row(1), glyphs: glyphs)
        }
    }

    func drawTitleRow(into canvas: inout Canvas, _ row: Rect, glyphs: Glyphs) {
        let (name, version) = Header.nameAndVersion(model.status?.server)
        let badge = self.badge(glyphs: glyphs)
        let badgeX = row.maxX - badge.columns - 1
        canvas.write(badge.text, x: badgeX, y: row.y, style: badge.style)
        var x = canvas.write([TextSpan(" " + name, .title)], x: row.x, y: row.y, maxX: badgeX - 1)
        if !version.isEmpty { x = canvas.write([TextSpan(" " + version)], x: x, y: row.y, maxX: badgeX - 1) }
        let separator = "  " + String(Character(glyphs.bullet)) + " "
        if let algorithm = algorithmText(socketRoom: badgeX - 2 - (x + 3), glyphs: glyphs) {
            x = canvas.write([TextSpan(separator, .muted), TextSpan(algorithm)], x: x, y: row.y, maxX: badgeX - 1)
        }
        let room = badgeX - 2 - (x + 3)
        if room > 8 {
            canvas.write(
                [TextSpan("  " + String(Character(glyphs.bullet)) + " ", .muted),
                 TextSpan(glyphs.truncateMiddle(socketLabel, to: room), .muted)],
                x: x, y: row.y, maxX: badgeX - 1)
        }
    }

    /// `sliding window` or `token bucket` (status `algorithm`), with the send margin when the whole
    /// socket label still fits beside it in `socketRoom` columns; nil for a daemon that does not say.
    func algorithmText(socketRoom: Int, glyphs: Glyphs) -> String? {
        guard let algorithm = model.status?.algorithm else { return nil }
        let name: String
        switch algorithm {
        case "sliding-window": name = "sliding window"
        case "token-bucket": name = "token bucket"
        default: name = algorithm
        }
        guard let margin = model.status?.sendMarginMs, margin > 0 else { return name }
        let withMargin = name + ", " + Format.window(milliseconds: margin) + " send margin"
        let separatorWidth = 4
        return Canvas.columns(socketLabel) + Canvas.columns(withMargin) + 2 * separatorWidth <= socketRoom ? withMargin : name
    }

    func drawFiguresRow(into canvas: inout Canvas, _ row: Rect, glyphs: Glyphs) {
        let label = CellStyle(.muted)
        guard let status = model.status else {
            canvas.write(
                [TextSpan(" waiting for the first snapshot from ", label), TextSpan(socketLabel)],
                x: row.x, y: row.y, maxX: row.maxX)
            return
        }
        let ceiling = Int64((Double(status.limit) * status.threshold).rounded())
        let connected = status.workers.filter(\.connected).count
        var spans = [
            TextSpan(" limit ", label), TextSpan(Format.tokens(status.limit), CellStyle(bold: true)),
            TextSpan(" per ", label), TextSpan(Format.window(milliseconds: status.windowMs), CellStyle(bold: true)),
            TextSpan("  threshold ", label), TextSpan(Format.percent(status.threshold), CellStyle(bold: true)),
            TextSpan(" = " + Format.tokens(ceiling), label),
            TextSpan("  workers ", label), TextSpan(String(connected)),
        ]
        if status.workers.count != connected {
            spans.append(TextSpan("/\(status.workers.count)", label))
        }
        var uptime = [TextSpan("up ", label), TextSpan(Format.duration(seconds: (model.uptimeMs(now: now) ?? 0) / 1000))]
        if let journal = status.journal, !journal.ok {
            uptime.insert(TextSpan(" JOURNAL FAILING ", CellStyle(.bad, bold: true, reverse: true)), at: 0)
            uptime.insert(TextSpan(" "), at: 1)
        }
        let uptimeX = row.maxX - uptime.columns - 1
        if spans.columns + 2 > uptimeX - row.x { spans = Array(spans.prefix(7)) }
        canvas.write(spans, x: row.x, y: row.y, maxX: uptimeX - 1)
        canvas.write(uptime, x: uptimeX, y: row.y, maxX: row.maxX)
    }

    func drawBanner(into canvas: inout Canvas, _ row: Rect, reason: String, since: Double, glyphs: Glyphs) {
        let style = CellStyle(.bad, bold: true, reverse: true)
        canvas.fill(row, with: " ", style: style)
        let bullet = " " + String(Character(glyphs.bullet)) + " "
        var text = " disconnected - retrying" + bullet + reason + bullet
        if let age = model.snapshotAge(now: now) {
            text += "last update " + Format.duration(seconds: Int64(age)) + " ago"
        } else {
            text += "for " + Format.duration(seconds: Int64(max(0, now - since)))
        }
        canvas.write(glyphs.truncate(text, to: row.width), x: row.x, y: row.y, style: style)
    }
}
