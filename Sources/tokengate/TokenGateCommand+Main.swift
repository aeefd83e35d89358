import ArgumentParser
import Foundation

extension TokenGateCommand {
    /// Runs the command line, mapping ArgumentParser's usage errors to the contract's exit code 2.
    ///
    /// A usage error found while the command runs (a limit the gate refuses, say) names the
    /// command's own usage, as the ones found while parsing do.
    static func main() async {
        let arguments = NegativeNumberArguments.rewrite(Array(CommandLine.arguments.dropFirst()))
        var command: any ParsableCommand
        do {
            command = try parseAsRoot(arguments)
        } catch {
            exitOnUsageError(error, usage: fullMessage(for: error))
            exit(withError: error)
        }
        do {
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exitOnUsageError(error, usage: runTimeUsageMessage(for: error, in: type(of: command)))
            exit(withError: error)
        }
    }

    /// Exits with code 2 after `usage` on stderr when `error` is a usage error.
    private static func exitOnUsageError(_ error: any Error, usage: @autoclosure () -> String) {
        guard exitCode(for: error) == .validationFailure else { return }
        FileHandle.standardError.write(Data((usage() + "\n").utf8))
        Foundation.exit(ExitCode.usage.rawValue)
    }

    /// `Error: ...`, the usage line of `command` (not the top-level one) and where its help is.
    static func runTimeUsageMessage(for error: any Error, in command: any ParsableCommand.Type) -> String {
        let usage = usageString(for: command)
        let name = usage.split(separator: " ").prefix { !$0.hasPrefix("[") && !$0.hasPrefix("<") && !$0.hasPrefix("-") }
            .joined(separator: " ")
        return "Error: \(message(for: error))\nUsage: \(usage)\n  See '\(name) --help' for more information."
    }
}
