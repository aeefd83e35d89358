import ArgumentParser
import Foundation

/// Prints `tokengate: <message>` on stderr, one line, and returns the exit code to throw.
func failure(_ message: String, code: ExitCode = .failed) -> ExitCode {
    FileHandle.standardError.write(Data("tokengate: \(message)\n".utf8))
    return code
}
