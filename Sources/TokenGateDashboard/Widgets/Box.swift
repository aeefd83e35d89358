/// A frame with a title in its top border and an optional note on the right of the bottom border.
public enum Box {
    /// Draws the frame around `rect` and returns the rectangle inside it.
    @discardableResult
    public static func draw(
        into canvas: inout Canvas, _ rect: Rect, title: [TextSpan], rightTitle: [TextSpan] = [],
        bottomLeft: [TextSpan] = [], bottomRight: [TextSpan] = [], glyphs: Glyphs, style: CellStyle = .muted
    ) -> Rect {
        guard rect.width >= 2, rect.height >= 2 else { return Rect(x: rect.x, y: rect.y, width: 0, height: 0) }
        let top = rect.y
        let bottom = rect.maxY - 1
        let left = rect.x
        let right = rect.maxX - 1
        for x in (left + 1)..<right {
            canvas.put(glyphs.horizontal, x: x, y: top, style: style)
            canvas.put(glyphs.horizontal, x: x, y: bottom, style: style)
        }
        for y in (top + 1)..<bottom {
            canvas.put(glyphs.vertical, x: left, y: y, style: style)
            canvas.put(glyphs.vertical, x: right, y: y, style: style)
        }
        canvas.put(glyphs.topLeft, x: left, y: top, style: style)
        canvas.put(glyphs.topRight, x: right, y: top, style: style)
        canvas.put(glyphs.bottomLeft, x: left, y: bottom, style: style)
        canvas.put(glyphs.bottomRight, x: right, y: bottom, style: style)
        label(into: &canvas, title, rightSpans: rightTitle, y: top, rect: rect)
        label(into: &canvas, bottomLeft, rightSpans: bottomRight, y: bottom, rect: rect)
        return rect.inset()
    }

    /// Draws a separator line across the inside of a box at row `y`, with a title.
    public static func separator(
        into canvas: inout Canvas, _ rect: Rect, y: Int, title: [TextSpan], glyphs: Glyphs,
        style: CellStyle = .muted
    ) {
        for x in (rect.x + 1)..<(rect.maxX - 1) { canvas.put(glyphs.horizontal, x: x, y: y, style: style) }
        canvas.put(glyphs.teeRight, x: rect.x, y: y, style: style)
        canvas.put(glyphs.teeLeft, x: rect.maxX - 1, y: y, style: style)
        label(into: &canvas, title, rightSpans: [], y: y, rect: rect)
    }

    /// Writes `spans` into a border row, padded by one space, from column 2; `rightSpans` end two
    /// columns before the right corner. The left label wins when they would overlap.
    static func label(into canvas: inout Canvas, _ spans: [TextSpan], rightSpans: [TextSpan], y: Int, rect: Rect) {
        let limit = rect.maxX - 2
        var leftEnd = rect.x + 1
        if !spans.isEmpty {
            leftEnd = canvas.write([TextSpan(" ")] + spans + [TextSpan(" ")], x: rect.x + 1, y: y, maxX: limit)
        }
        if !rightSpans.isEmpty {
            let padded = [TextSpan(" ")] + rightSpans + [TextSpan(" ")]
            let start = limit - padded.columns
            if start > leftEnd { canvas.write(padded, x: start, y: y, maxX: limit) }
        }
    }
}
