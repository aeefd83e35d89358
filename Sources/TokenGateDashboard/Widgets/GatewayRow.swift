import TokenGateWire

/// The row under the gauges (and the provider row) while the daemon runs its HTTP gateway:
/// where it listens, where it forwards, and its requests, in flight and errors.
///
/// `gateway 127.0.0.1:8787 -> https://api.anthropic.com · 1,204 requests · 3 in flight · 0 errors`
public struct GatewayRow: Sendable {
    public var gateway: GatewayStatus?

    public init(status: Status?) {
        gateway = status?.gateway
    }

    /// Whether there is anything to show.
    public var isEmpty: Bool { gateway == nil }

    /// The spans of the row; the upstream is shortened from the middle to fit `width`.
    public func spans(width: Int = .max, glyphs: Glyphs) -> [TextSpan] {
        guard let gateway else { return [] }
        let errorsStyle = gateway.errors > 0 ? CellStyle(.warn, bold: true) : CellStyle(.normal)
        let tail = [
            TextSpan(" · ", .muted), TextSpan(Format.grouped(gateway.requests), CellStyle(.normal, bold: true)),
            TextSpan(gateway.requests == 1 ? " request" : " requests", .muted),
            TextSpan(" · ", .muted), TextSpan(Format.grouped(gateway.inFlight), CellStyle(.normal, bold: true)),
            TextSpan(" in flight", .muted),
            TextSpan(" · ", .muted), TextSpan(Format.grouped(gateway.errors), errorsStyle),
            TextSpan(gateway.errors == 1 ? " error" : " errors", .muted),
        ]
        let head = [TextSpan("gateway ", CellStyle(.accent, bold: true)), TextSpan(gateway.listen), TextSpan(" -> ", .muted)]
        let fixed = (head + tail).reduce(0) { $0 + Canvas.columns($1.text) }
        let room = max(8, width == .max ? Int.max : width - fixed)
        return head + [TextSpan(glyphs.truncateMiddle(gateway.upstream, to: room), .muted)] + tail
    }

    /// Draws the row on the first row of `rect`, clipped to its width.
    public func draw(into canvas: inout Canvas, _ rect: Rect, glyphs: Glyphs) {
        guard rect.height > 0, !isEmpty else { return }
        canvas.write(spans(width: rect.width, glyphs: glyphs), x: rect.x, y: rect.y, maxX: rect.maxX)
    }
}
