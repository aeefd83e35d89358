import Foundation
import Testing
import TokenGateDashboard

/// Compares `canvas.text` with `Snapshots/<name>.txt` next to this file. On a difference the test
/// fails with the differing lines side by side. `TOKENGATE_RECORD_SNAPSHOTS=1` rewrites the file.
func assertSnapshot(_ text: String, named name: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots")
    let file = directory.appendingPathComponent(name + ".txt")
    let actual = text + "\n"
    if ProcessInfo.processInfo.environment["TOKENGATE_RECORD_SNAPSHOTS"] == "1" {
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        do {
            try actual.write(to: file, atomically: true, encoding: .utf8)
        } catch {
            Issue.record("cannot write \(file.path): \(error)", sourceLocation: sourceLocation)
        }
        return
    }
    guard let expected = try? String(contentsOf: file, encoding: .utf8) else {
        Issue.record(
            "no snapshot at \(file.path); run with TOKENGATE_RECORD_SNAPSHOTS=1 to write it, then read it",
            sourceLocation: sourceLocation)
        return
    }
    guard expected != actual else { return }
    // The whole actual screen goes to a temporary file, for `diff` or a closer look.
    let actualFile = FileManager.default.temporaryDirectory.appendingPathComponent("tokengate-snapshots/\(name).txt")
    try? FileManager.default.createDirectory(
        at: actualFile.deletingLastPathComponent(), withIntermediateDirectories: true)
    try? actual.write(to: actualFile, atomically: true, encoding: .utf8)
    Issue.record(
        Comment(
            rawValue: "snapshot \(name) differs; actual screen in \(actualFile.path); "
                + "TOKENGATE_RECORD_SNAPSHOTS=1 rewrites the expected one:\n"
                + lineDiff(expected: expected, actual: actual)),
        sourceLocation: sourceLocation)
}

/// The differing lines, numbered, expected above actual, at most 12 of them.
func lineDiff(expected: String, actual: String) -> String {
    let old = expected.split(separator: "\n", omittingEmptySubsequences: false)
    let new = actual.split(separator: "\n", omittingEmptySubsequences: false)
    var out: [String] = []
    var shown = 0
    for index in 0..<max(old.count, new.count) {
        let a = index < old.count ? String(old[index]) : "<missing>"
        let b = index < new.count ? String(new[index]) : "<missing>"
        guard a != b else { continue }
        shown += 1
        if shown > 12 {
            out.append("… more lines differ")
            break
        }
        let number = String(index + 1)
        out.append("line " + String(repeating: " ", count: max(0, 3 - number.count)) + number + "  expected |\(a)|")
        out.append("          actual   |\(b)|")
    }
    if old.count != new.count { out.append("line count: expected \(old.count), actual \(new.count)") }
    return out.joined(separator: "\n")
}
