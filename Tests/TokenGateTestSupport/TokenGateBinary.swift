import Foundation

/// Where the `tokengate` executable under test is: `$TOKENGATE_BIN`, else next to the test bundle
/// (the build products directory that `swift test` also built the executable into), else in the
/// package's usual build directories. `$TOKENGATE_BIN` is the one variable every suite (and the
/// Python tests) reads.
public enum TokenGateBinary {
    public static let path: String? = locate()

    /// The path, or a failure explaining where it looked.
    public static func require() throws -> String {
        guard let path else {
            throw TestFailure(
                "tokengate executable not found; build it or set TOKENGATE_BIN; looked in: \(candidates().joined(separator: ", "))")
        }
        return path
    }

    public static func candidates() -> [String] {
        var candidates: [String] = []
        if let explicit = ProcessInfo.processInfo.environment["TOKENGATE_BIN"], !explicit.isEmpty {
            candidates.append(explicit)
        }
        // Linux: <products>/tokengatePackageTests.xctest is the test executable itself.
        // macOS: <products>/tokengatePackageTests.xctest/Contents/MacOS/tokengatePackageTests.
        var directories: [URL] = []
        if let argument = CommandLine.arguments.first, !argument.isEmpty {
            directories.append(URL(fileURLWithPath: argument).resolvingSymlinksInPath().deletingLastPathComponent())
        }
        directories.append(Bundle.main.bundleURL)
        directories.append(Bundle.main.bundleURL.deletingLastPathComponent())
        for start in directories {
            var directory = start
            for _ in 0..<4 {
                candidates.append(directory.appendingPathComponent("tokengate").path)
                directory = directory.deletingLastPathComponent()
            }
        }
        for scratch in [".build-client", ".build"] {
            candidates.append(packageRoot.appendingPathComponent("\(scratch)/debug/tokengate").path)
        }
        return candidates
    }

    private static func locate() -> String? {
        candidates().first { path in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
                && FileManager.default.isExecutableFile(atPath: path)
        }
    }

    /// The package's root directory (for assets such as the Python client).
    /// (This file is `<root>/Tests/TokenGateTestSupport/TokenGateBinary.swift`.)
    public static var packageRoot: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }
}
