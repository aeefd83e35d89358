/// ArgumentParser reads `-5` as a cluster of short flags, so `--tokens -5` reports a missing value
/// and `limit -5` an unknown option. This rewrites a negative number into the form it reads as a
/// value: `--tokens -5` becomes `--tokens=-5`, and a positional `-5` moves behind a `--`, so every
/// command's own check answers with its own clear message.
enum NegativeNumberArguments {
    /// `arguments` (without the executable) with every negative number made a value.
    static func rewrite(_ arguments: [String]) -> [String] {
        var result: [String] = []
        var positional: [String] = []
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let argument = arguments[index]
            if argument == "--" {
                result.append(contentsOf: arguments[index...])
                break
            }
            if isNegativeNumber(argument) {
                if let previous = result.last, takesValue(previous) {
                    result[result.count - 1] = previous + "=" + argument
                } else {
                    positional.append(argument)
                }
            } else {
                result.append(argument)
            }
            index += 1
        }
        guard !positional.isEmpty else { return result }
        if let terminator = result.firstIndex(of: "--") {
            result.insert(contentsOf: positional, at: terminator + 1)
        } else {
            result.append("--")
            result.append(contentsOf: positional)
        }
        return result
    }

    /// `-5`, `-0.5`, `-1e3`: a dash, a digit (or a dot and a digit), and a number.
    static func isNegativeNumber(_ argument: String) -> Bool {
        guard argument.count >= 2, argument.hasPrefix("-") else { return false }
        let rest = argument.dropFirst()
        guard let first = rest.first, first.isNumber || first == "." else { return false }
        return Double(argument) != nil
    }

    /// A long option with no `=value` yet: the next argument is its value.
    private static func takesValue(_ argument: String) -> Bool {
        argument.hasPrefix("--") && argument.count > 2 && !argument.contains("=")
    }
}
