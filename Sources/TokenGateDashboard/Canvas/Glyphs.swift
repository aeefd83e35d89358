/// The glyphs the widgets draw with: Unicode blocks and box drawing on a UTF-8 terminal, plain ASCII
/// otherwise. Widgets never hard-code a glyph, so the whole screen switches at once.
public struct Glyphs: Sendable, Equatable {
    /// Whether these are the Unicode glyphs.
    public let isUnicode: Bool
    /// Left-aligned horizontal blocks for 1...8 eighths of a cell (index 0 is one eighth).
    public let horizontalEighths: [Unicode.Scalar]
    /// Bottom-aligned vertical blocks for 1...8 eighths of a cell (index 0 is one eighth).
    public let verticalEighths: [Unicode.Scalar]
    /// A gauge cell of reserved tokens (shaded).
    public let reserved: Unicode.Scalar
    /// A gauge cell of usage the provider reported but this daemon did not see (dark shade).
    public let external: Unicode.Scalar
    /// An empty gauge cell.
    public let empty: Unicode.Scalar
    /// The threshold marker on a gauge.
    public let marker: Unicode.Scalar
    /// The threshold line across the chart.
    public let thresholdLine: Unicode.Scalar
    /// Box drawing: lines and corners.
    public let horizontal: Unicode.Scalar
    public let vertical: Unicode.Scalar
    public let topLeft: Unicode.Scalar
    public let topRight: Unicode.Scalar
    public let bottomLeft: Unicode.Scalar
    public let bottomRight: Unicode.Scalar
    /// `├`: a separator line meeting the left border.
    public let teeRight: Unicode.Scalar
    /// `┤`: a separator line meeting the right border.
    public let teeLeft: Unicode.Scalar
    /// The part of a scroll bar that shows the visible rows.
    public let scrollThumb: Unicode.Scalar
    /// Ends text that was cut.
    public let ellipsis: Unicode.Scalar
    /// Marks the sorted column of the workers table.
    public let sortDescending: Unicode.Scalar
    public let sortAscending: Unicode.Scalar
    /// Before a connected worker's name.
    public let connected: Unicode.Scalar
    /// Before a worker that is gone.
    public let disconnected: Unicode.Scalar
    /// In the RUNNING and PAUSED badges.
    public let running: Unicode.Scalar
    public let paused: Unicode.Scalar
    /// Separators in text.
    public let arrow: Unicode.Scalar
    public let bullet: Unicode.Scalar
    /// What the key bar shows for the arrow keys.
    public let upDown: String

    /// A full cell of a bar.
    public var full: Unicode.Scalar { horizontalEighths[7] }
    /// How many steps one cell of a bar can show: 8 with eighth blocks, 1 in ASCII.
    public var stepsPerCell: Int { isUnicode ? 8 : 1 }

    /// Block elements, box drawing and shades.
    public static let unicode = Glyphs(
        isUnicode: true,
        horizontalEighths: ["▏", "▎", "▍", "▌", "▋", "▊", "▉", "█"],
        verticalEighths: ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"],
        reserved: "▒", external: "▓", empty: "░", marker: "┃", thresholdLine: "╌",
        horizontal: "─", vertical: "│", topLeft: "┌", topRight: "┐", bottomLeft: "└", bottomRight: "┘",
        teeRight: "├", teeLeft: "┤", scrollThumb: "█", ellipsis: "…",
        sortDescending: "▼", sortAscending: "▲", connected: "●", disconnected: "○",
        running: "▶", paused: "‖", arrow: "→", bullet: "·", upDown: "↑↓"
    )

    /// Plain ASCII for terminals whose locale is not UTF-8: `#` used, `+` reserved, `|` threshold.
    public static let ascii = Glyphs(
        isUnicode: false,
        horizontalEighths: Array(repeating: "#", count: 8),
        verticalEighths: Array(repeating: "#", count: 8),
        reserved: "+", external: "=", empty: ".", marker: "|", thresholdLine: "-",
        horizontal: "-", vertical: "|", topLeft: "+", topRight: "+", bottomLeft: "+", bottomRight: "+",
        teeRight: "+", teeLeft: "+", scrollThumb: "#", ellipsis: "~",
        sortDescending: "v", sortAscending: "^", connected: "*", disconnected: "-",
        running: ">", paused: "=", arrow: ">", bullet: "-", upDown: "Up/Dn"
    )

    /// `text` cut to `width` columns, ending in an ellipsis when it was cut.
    public func truncate(_ text: String, to width: Int) -> String {
        guard width > 0 else { return "" }
        guard Canvas.columns(text) > width else { return text }
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars.prefix(width - 1) { scalars.append(scalar) }
        scalars.append(ellipsis)
        return String(scalars)
    }

    /// `text` cut in the middle to `width` columns (for paths, whose both ends matter).
    public func truncateMiddle(_ text: String, to width: Int) -> String {
        guard width > 0 else { return "" }
        let scalars = Array(text.unicodeScalars)
        guard scalars.count > width else { return text }
        guard width > 2 else { return truncate(text, to: width) }
        let head = (width - 1) / 2
        let tail = width - 1 - head
        var out = String.UnicodeScalarView()
        out.append(contentsOf: scalars.prefix(head))
        out.append(ellipsis)
        out.append(contentsOf: scalars.suffix(tail))
        return String(out)
    }
}
