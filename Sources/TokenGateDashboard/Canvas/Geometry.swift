/// A terminal size in columns and rows.
public struct TerminalSize: Sendable, Hashable, CustomStringConvertible {
    public var width: Int
    public var height: Int

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    public var description: String { "\(width)x\(height)" }
}

/// A rectangle of cells: `x`, `y` is the top-left corner.
public struct Rect: Sendable, Hashable {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = max(0, width)
        self.height = max(0, height)
    }

    public var maxX: Int { x + width }
    public var maxY: Int { y + height }
    public var isEmpty: Bool { width <= 0 || height <= 0 }

    /// The rectangle shrunk by `dx` columns on both sides and `dy` rows at the top and bottom.
    public func inset(dx: Int = 1, dy: Int = 1) -> Rect {
        Rect(x: x + dx, y: y + dy, width: width - 2 * dx, height: height - 2 * dy)
    }

    /// The row `index` of this rectangle, one cell high.
    public func row(_ index: Int) -> Rect {
        Rect(x: x, y: y + index, width: width, height: 1)
    }

    /// Splits off `count` rows at the top: the top part and the rest.
    public func splitTop(_ count: Int) -> (top: Rect, rest: Rect) {
        let count = min(max(0, count), height)
        return (
            Rect(x: x, y: y, width: width, height: count),
            Rect(x: x, y: y + count, width: width, height: height - count)
        )
    }

    /// Splits off `count` columns on the right: the left part and the right part.
    public func splitRight(_ count: Int) -> (left: Rect, right: Rect) {
        let count = min(max(0, count), width)
        return (
            Rect(x: x, y: y, width: width - count, height: height),
            Rect(x: x + width - count, y: y, width: count, height: height)
        )
    }

    /// A rectangle of the given size centred in this one (clipped to it).
    public func centered(width w: Int, height h: Int) -> Rect {
        let w = min(w, width)
        let h = min(h, height)
        return Rect(x: x + (width - w) / 2, y: y + (height - h) / 2, width: w, height: h)
    }
}
