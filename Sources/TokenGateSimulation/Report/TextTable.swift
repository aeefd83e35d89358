/// Columns padded to their widest cell: text left-aligned, numbers right-aligned.
struct TextTable {
    enum Alignment {
        case left
        case right
    }

    let headers: [String]
    let alignments: [Alignment]
    private(set) var rows: [[String]?] = []

    init(columns: [(String, Alignment)]) {
        headers = columns.map(\.0)
        alignments = columns.map(\.1)
    }

    mutating func append(_ row: [String]) { rows.append(row) }

    /// An empty line between groups of rows.
    mutating func appendSeparator() { rows.append(nil) }

    func render() -> String {
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
        var output = line(headers) + "\n"
        for row in rows { output += row.map(line) ?? "" ; output += "\n" }
        return output
    }
}
