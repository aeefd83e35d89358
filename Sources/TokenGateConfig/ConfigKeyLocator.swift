/// Finds the line of a key in a TOML document's text (TOMLKit does not keep source positions of
/// values): the first line where the key, bare or quoted, starts an assignment (`key =`), a dotted
/// key (`key.sub =`) or a table header (`[key]`, `[key.sub]`, `[[key]]`).
struct ConfigKeyLocator {
    private let lines: [Substring]

    init(text: String) {
        lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    }

    /// The line number (from 1) of `key`'s first appearance, nil when it cannot be found.
    func line(of key: String) -> Int? {
        let spellings = [key, "\"\(key)\"", "'\(key)'"]
        for (index, raw) in lines.enumerated() {
            var line = raw.drop { $0 == " " || $0 == "\t" }
            var isHeader = false
            while line.first == "[" {
                isHeader = true
                line = line.dropFirst().drop { $0 == " " || $0 == "\t" }
            }
            for spelling in spellings where line.hasPrefix(spelling) {
                let rest = line.dropFirst(spelling.count).drop { $0 == " " || $0 == "\t" }
                guard let next = rest.first else { continue }
                if next == "." || (isHeader ? next == "]" : next == "=") { return index + 1 }
            }
        }
        return nil
    }
}
