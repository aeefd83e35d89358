/// A plain-text table, as the CLI and the benchmarks print them: columns padded to their widest
/// cell and two spaces apart, each left- or right-aligned, no line ending in spaces.
public struct TextTable: Sendable {
    /// Which side of its column a cell keeps to.
    public enum Alignment: Sendable {
        case left
        case right
    }

    /// The header line's cells.
    public let headers: [String]
    /// One per column.
    public let alignments: [Alignment]
    /// The rows under the header; nil is an empty line between groups of rows.
    public private(set) var rows: [[String]?] = []

    /// A table with these columns: each a header and an alignment.
    public init(columns: [(String, Alignment)]) {
        headers = columns.map(\.0)
        alignments = columns.map(\.1)
    }

    /// A table of `header` and `rows`: the first column aligned to `first` (names, left by default),
    /// the others to `others` (numbers, right by default).
    public init(header: [String], rows: [[String]] = [], first: Alignment = .left, others: Alignment = .right) {
        self.init(columns: header.enumerated().map { index, name in (name, index == 0 ? first : others) })
        self.rows = rows
    }

    /// Adds a row, one cell per column.
    public mutating func append(_ row: [String]) { rows.append(row) }

    /// Adds an empty line between groups of rows.
    public mutating func appendSeparator() { rows.append(nil) }

    /// The header line, then one line per row.
    public func lines() -> [String] {
        var widths = headers.map(\.count)
        for row in rows.compactMap({ $0 }) {
            for (index, cell) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], cell.count)
            }
        }
        func line(_ cells: [String]) -> String {
            var text = ""
            for (index, cell) in cells.enumerated() where index < widths.count {
                let padding = String(repeating: " ", count: widths[index] - cell.count)
                if index > 0 { text += "  " }
                text += alignments[index] == .left ? cell + padding : padding + cell
            }
            while text.hasSuffix(" ") { text.removeLast() }
            return text
        }
        return [line(headers)] + rows.map { $0.map(line) ?? "" }
    }

    /// ``lines()``, each ended by a newline.
    public func render() -> String {
        lines().map { $0 + "\n" }.joined()
    }
}
