import Foundation

/// A table the benchmarks print: the header line, a rule of dashes, then rows whose cells are
/// separated by at least two spaces (a cell holds at most one space in a row: `123 µs`).
struct BenchTable {
    let header: [String]
    let rows: [[String: String]]

    init(lines: [String]) {
        guard let rule = lines.firstIndex(where: { !$0.isEmpty && $0.allSatisfy { $0 == "-" } }), rule > 0 else {
            header = []
            rows = []
            return
        }
        let header = Self.cells(lines[rule - 1])
        self.header = header
        rows = lines[(rule + 1)...].prefix { !$0.isEmpty && !$0.hasPrefix(" ") }.map { line in
            Dictionary(zip(header, Self.cells(line)), uniquingKeysWith: { first, _ in first })
        }
    }

    static func cells(_ line: String) -> [String] {
        line.components(separatedBy: "  ").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// `52,340` as a number.
    static func count(_ cell: String?) -> Int? {
        cell.flatMap { Int($0.replacingOccurrences(of: ",", with: "")) }
    }

    /// `456 µs` or `1.23 ms` in microseconds.
    static func microseconds(_ cell: String?) -> Double? {
        guard let parts = cell?.split(separator: " "), parts.count == 2, let value = Double(parts[0]) else { return nil }
        switch parts[1] {
        case "µs": return value
        case "ms": return value * 1_000
        default: return nil
        }
    }
}
