/// What shows below the minimum size: a centred "terminal too small (need WxH)", the current size and
/// how to quit.
public struct TooSmall: Sendable {
    public var size: TerminalSize
    public var minimum: TerminalSize

    public init(size: TerminalSize, minimum: TerminalSize) {
        self.size = size
        self.minimum = minimum
    }

    /// Draws the message centred on `canvas`.
    public func draw(into canvas: inout Canvas, glyphs: Glyphs) {
        let warning = CellStyle(.warn, bold: true)
        let message = "terminal too small (need \(minimum))"
        var lines = [TextSpan(message, warning)]
        if Canvas.columns(message) > canvas.width {
            lines = [TextSpan("terminal too small", warning), TextSpan("(need \(minimum))", warning)]
        }
        lines += [TextSpan("now \(size)", .muted), TextSpan("q quits", .muted)]
        let top = max(0, (canvas.height - lines.count) / 2)
        for (index, line) in lines.enumerated() {
            canvas.write(glyphs.truncate(line.text, to: canvas.width), in: canvas.bounds, row: top + index,
                         align: .center, style: line.style)
        }
    }
}
