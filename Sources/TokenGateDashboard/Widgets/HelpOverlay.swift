/// The `?` overlay: the keys and what the glyphs and words mean, in a box over the screen's centre.
public struct HelpOverlay: Sendable {
    /// What `q` does to the daemon: `top` leaves it running, the demo stops its own.
    public var quitText: String
    /// Whether the daemon has several pools: then the help says what Tab does.
    public var pools: Bool
    /// Whether the daemon shares its limit with other hosts: then the help explains the hosts panel.
    public var hosts: Bool

    public init(quitText: String = "quit (the daemon keeps running)", pools: Bool = false, hosts: Bool = false) {
        self.quitText = quitText
        self.pools = pools
        self.hosts = hosts
    }

    func lines(glyphs: Glyphs) -> [[TextSpan]] {
        let key = CellStyle(.accent, bold: true)
        func row(_ keys: String, _ text: String) -> [TextSpan] { [TextSpan(keys.padding(14), key), TextSpan(text)] }
        let full = String(Character(glyphs.full))
        let reserved = String(Character(glyphs.reserved))
        let marker = String(Character(glyphs.marker))
        let poolRows = pools ? [
            row("Tab  S-Tab", "select the pool: all, default, each pool, all again"),
            row("", "p, +/-, chart, queue and workers' usage follow it"),
            row("p", "pause or resume the selected pool (all: every pool)"),
            row("+  -", "propose its limit 10 % up or down (all: default's)"),
        ] : [
            row("p", "pause or resume dispatch for the whole fleet"),
            row("+  -", "propose the limit 10 % up or down; Enter applies, Esc cancels"),
        ]
        var lines: [[TextSpan]] = poolRows + [
            row("s  S", "next or previous sort order of the workers"),
            row(glyphs.isUnicode ? "↑ ↓  j k" : "Up Dn  j k", "select a worker"),
            row("PgUp PgDn", "a page up or down; Home End: first, last"),
            row("x", "pause or resume the selected worker (PAUSED in its row)"),
            row("Enter  Esc", "the selected worker's detail pane: open, close"),
            row("c", "cap the selected worker: 0.25 or 25%; none clears"),
            row("/", "filter workers by name; Enter keeps, Esc clears"),
            row("?  Esc", "close this help"),
            row("q  Ctrl-C", quitText),
            [],
            [TextSpan("Gauges".padding(14), CellStyle(bold: true)),
             TextSpan(full, .init(.good)), TextSpan(" used  "), TextSpan(reserved, .init(.good)),
             TextSpan(" reserved  "), TextSpan(marker, .init(.accent, bold: true)), TextSpan(" threshold  "),
             TextSpan(String(Character(glyphs.external)), .init(.muted, bold: true)), TextSpan(" external")],
            [TextSpan("ok".padding(14), UsageLevel.ok.wordStyle), TextSpan("below 75 % of the threshold")],
            [TextSpan("NEAR", UsageLevel.near.wordStyle), TextSpan("".padding(10)), TextSpan("75 % of the threshold or more")],
            [TextSpan("FULL", UsageLevel.full.wordStyle), TextSpan("".padding(10)),
             TextSpan("at the threshold: new grants wait")],
            [TextSpan("Rates".padding(14), CellStyle(bold: true)),
             TextSpan("over the last window: tokens/min, grants/s, p99 wait, 429s")],
            [TextSpan("Workers".padding(14), CellStyle(bold: true)), TextSpan(String(Character(glyphs.connected)), .init(.good)),
             TextSpan(" connected   "), TextSpan(String(Character(glyphs.disconnected)), .muted), TextSpan(" gone")],
        ]
        if hosts {
            lines.append([
                TextSpan("Hosts".padding(14), CellStyle(bold: true)), TextSpan("* this one; "),
                TextSpan("REDIS UNREACHABLE", CellStyle(.bad, bold: true)), TextSpan(": no grants until it answers"),
            ])
        }
        return lines
    }

    /// Draws the overlay centred on `canvas`, over what is there.
    public func draw(into canvas: inout Canvas, glyphs: Glyphs) {
        let lines = self.lines(glyphs: glyphs)
        let width = min(canvas.width - 2, (lines.map(\.columns).max() ?? 0) + 4)
        let rect = canvas.bounds.centered(width: width, height: lines.count + 2)
        canvas.fill(rect)
        let inner = Box.draw(
            into: &canvas, rect, title: [TextSpan("Help", .title)], bottomRight: [TextSpan("any key closes", .muted)],
            glyphs: glyphs, style: .accent)
        for (index, line) in lines.enumerated() where index < inner.height {
            canvas.write(line, x: inner.x + 1, y: inner.y + index, maxX: inner.maxX)
        }
    }
}
