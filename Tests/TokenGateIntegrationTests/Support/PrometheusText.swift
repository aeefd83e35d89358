import TokenGateTestSupport

/// The Prometheus text exposition format (0.0.4), parsed strictly enough to catch a malformed
/// scrape: every sample belongs to a family declared by a `# TYPE` line before it, names and
/// label names are valid, label values are quoted and escaped, values are numbers.
struct PrometheusText: Sendable {
    struct Sample: Sendable, Equatable {
        let name: String
        let labels: [String: String]
        let value: Double
    }

    /// Family name to type (`counter`, `gauge`, `histogram`, ...).
    private(set) var types: [String: String] = [:]
    private(set) var help: [String: String] = [:]
    private(set) var samples: [Sample] = []

    init(parsing text: String) throws {
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: true).enumerated() {
            let lineNumber = index + 1
            if line.hasPrefix("# TYPE ") {
                let parts = line.dropFirst(7).split(separator: " ")
                guard parts.count == 2, Self.isValidName(parts[0]) else {
                    throw TestFailure("line \(lineNumber): bad TYPE line: \(line)")
                }
                types[String(parts[0])] = String(parts[1])
            } else if line.hasPrefix("# HELP ") {
                let rest = line.dropFirst(7)
                let name = rest.prefix { $0 != " " }
                help[String(name)] = String(rest.dropFirst(name.count + 1))
            } else if line.hasPrefix("#") {
                continue
            } else {
                let sample = try Self.sample(line, lineNumber: lineNumber)
                guard types[Self.family(of: sample.name)] != nil else {
                    throw TestFailure("line \(lineNumber): sample before its # TYPE: \(line)")
                }
                samples.append(sample)
            }
        }
    }

    /// The value of the one sample named `name` with exactly `labels`, nil when absent.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples.first { $0.name == name && $0.labels == labels }?.value
    }

    /// The samples named `name`.
    func samples(named name: String) -> [Sample] { samples.filter { $0.name == name } }

    /// A histogram's samples belong to the family without `_bucket`, `_sum` or `_count`.
    private static func family(of name: String) -> String {
        for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) {
            return String(name.dropLast(suffix.count))
        }
        return name
    }

    private static func isValidName<S: StringProtocol>(_ name: S) -> Bool {
        guard let first = name.first, first.isLetter || first == "_" || first == ":" else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ":") }
    }

    private static func sample(_ line: Substring, lineNumber: Int) throws -> Sample {
        let fail = { (why: String) in TestFailure("line \(lineNumber): \(why): \(line)") }
        let name = line.prefix { $0 != "{" && $0 != " " }
        guard isValidName(name) else { throw fail("bad metric name") }
        var rest = line.dropFirst(name.count)
        var labels: [String: String] = [:]
        if rest.first == "{" {
            rest = rest.dropFirst()
            while rest.first != "}" {
                let labelName = rest.prefix { $0 != "=" }
                guard isValidName(labelName) else { throw fail("bad label name") }
                rest = rest.dropFirst(labelName.count)
                guard rest.hasPrefix("=\"") else { throw fail("label value not quoted") }
                rest = rest.dropFirst(2)
                var value = ""
                while let character = rest.first, character != "\"" {
                    rest = rest.dropFirst()
                    if character == "\\" {
                        guard let escaped = rest.first else { throw fail("dangling escape") }
                        rest = rest.dropFirst()
                        value.append(escaped == "n" ? "\n" : escaped)
                    } else {
                        value.append(character)
                    }
                }
                guard rest.first == "\"" else { throw fail("unterminated label value") }
                rest = rest.dropFirst()
                labels[String(labelName)] = value
                if rest.first == "," { rest = rest.dropFirst() }
                guard !rest.isEmpty else { throw fail("unterminated labels") }
            }
            rest = rest.dropFirst()
        }
        guard rest.first == " " else { throw fail("no space before the value") }
        let fields = rest.dropFirst().split(separator: " ")
        guard (1...2).contains(fields.count), let valueText = fields.first else { throw fail("bad value") }
        let value: Double?
        switch valueText {
        case "+Inf": value = .infinity
        case "-Inf": value = -.infinity
        case "NaN": value = .nan
        default: value = Double(valueText)
        }
        guard let value else { throw fail("value is not a number") }
        return Sample(name: String(name), labels: labels, value: value)
    }
}
