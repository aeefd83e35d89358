import TokenGateWire

/// The row under the gauges with the daemon's throughput over the last window (status `rates`):
///
/// `rates    tokens/min 412.3k  grants/s 1.85  wait p99 850ms  429s 0  · last 60s`
///
/// Absent (no row) for a daemon that sends no rates. A 429 in the window is marked, never by
/// colour alone: the count is bold.
public struct RatesRow: Sendable {
    public var rates: RatesStatus?
    public var windowMs: Int64

    public init(status: Status?) {
        rates = status?.rates
        windowMs = status?.windowMs ?? 0
    }

    /// Whether there is a row to draw.
    public var isEmpty: Bool { rates == nil }

    /// The spans in at most `width` columns: the four figures, then the window they cover if it fits.
    public func spans(width: Int = .max) -> [TextSpan] {
        guard let rates else { return [] }
        let label = CellStyle(.muted)
        let throttled = rates.throttlesInWindow > 0
        var spans = [
            TextSpan(String("rates".padding(toLength: Gauge.nameWidth, withPad: " ", startingAt: 0)), CellStyle(bold: true)),
            TextSpan("tokens/min ", label), TextSpan(Format.tokens(rates.tokensPerMin), CellStyle(bold: true)),
            TextSpan("  grants/s ", label), TextSpan(Format.rate(rates.grantsPerS), CellStyle(bold: true)),
            TextSpan("  wait p99 ", label),
            TextSpan(rates.waitP99Ms.map(Format.wait(milliseconds:)) ?? "-", CellStyle(bold: true)),
            TextSpan("  429s ", label),
            TextSpan(String(rates.throttlesInWindow), CellStyle(throttled ? .bad : .normal, bold: true, reverse: throttled)),
        ]
        let window = TextSpan("  · last " + Format.window(milliseconds: windowMs), label)
        if spans.columns + window.columns <= width { spans.append(window) }
        return spans
    }

    /// Draws the row into the first line of `rect`.
    public func draw(into canvas: inout Canvas, _ rect: Rect, glyphs: Glyphs) {
        guard rect.height > 0, !isEmpty else { return }
        canvas.write(truncated(spans(width: rect.width), to: rect.width, glyphs: glyphs), x: rect.x, y: rect.y, maxX: rect.maxX)
    }
}
