/// A run of text in one style; widgets build lines out of spans.
public struct TextSpan: Sendable, Equatable {
    public var text: String
    public var style: CellStyle

    public init(_ text: String, _ style: CellStyle = .plain) {
        self.text = text
        self.style = style
    }

    /// The columns the text takes.
    public var columns: Int { Canvas.columns(text) }
}

extension Canvas {
    /// Writes `spans` one after another from `x`, `y`, stopping at `maxX`. Returns the column after
    /// the last one written.
    @discardableResult
    public mutating func write(_ spans: [TextSpan], x: Int, y: Int, maxX: Int) -> Int {
        var column = x
        for span in spans {
            guard column < maxX else { break }
            column += write(span.text, x: column, y: y, style: span.style, maxWidth: maxX - column)
        }
        return column
    }
}

extension Array where Element == TextSpan {
    /// The columns all spans take.
    public var columns: Int { reduce(0) { $0 + $1.columns } }
}
