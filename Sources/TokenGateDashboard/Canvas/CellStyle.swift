/// What a cell means, which the terminal backend maps to a colour (or to nothing in monochrome).
///
/// Roles carry meaning, so the view never relies on colour alone: every role that signals a state is
/// paired with a label, a glyph, bold or reverse video.
public enum ColorRole: UInt8, Sendable, Hashable, CaseIterable {
    /// The terminal's default foreground.
    case normal
    /// Comfortably below the threshold, running, connected (green).
    case good
    /// Close to the threshold, paused (yellow).
    case warn
    /// At or over the threshold, cooldown, disconnected (red).
    case bad
    /// Titles, keys and the threshold marker (cyan).
    case accent
    /// Secondary text: units, empty bar cells, axis labels (grey).
    case muted
}

/// The look of one cell: a colour role and text attributes.
public struct CellStyle: Sendable, Hashable {
    public var role: ColorRole
    public var bold: Bool
    public var reverse: Bool
    public var dim: Bool

    public init(_ role: ColorRole = .normal, bold: Bool = false, reverse: Bool = false, dim: Bool = false) {
        self.role = role
        self.bold = bold
        self.reverse = reverse
        self.dim = dim
    }

    /// The default style: normal role, no attributes.
    public static let plain = CellStyle()
    public static let muted = CellStyle(.muted)
    public static let accent = CellStyle(.accent)
    public static let title = CellStyle(.accent, bold: true)

    /// This style with reverse video toggled on.
    public var reversed: CellStyle {
        var style = self
        style.reverse = true
        return style
    }

    /// This style in bold.
    public var emphasized: CellStyle {
        var style = self
        style.bold = true
        return style
    }
}
