import Logging
import TOMLKit
import TokenGateCore
import TokenGateServer

/// Reads one key's value as the type its flag takes, or throws an error naming the key and line.
struct ConfigValueReader {
    let path: String
    let key: String
    let line: Int?
    let value: any TOMLValueConvertible
    /// The whole file, for locating nested keys.
    var source: String = ""

    func error(_ kind: ConfigFileError.Kind) -> ConfigFileError {
        ConfigFileError(path: path, line: line, key: key, kind: kind)
    }

    private func wrongType(_ expected: String) -> ConfigFileError {
        error(.wrongType(expected: expected, found: Self.describe(value.type)))
    }

    func string() throws(ConfigFileError) -> String {
        guard let string = value.string else { throw wrongType("a string") }
        return string
    }

    func nonEmptyString() throws(ConfigFileError) -> String {
        let string = try string()
        guard !string.isEmpty else { throw error(.invalidValue(reason: "must not be empty")) }
        return string
    }

    func bool() throws(ConfigFileError) -> Bool {
        guard let bool = value.bool else { throw wrongType("true or false") }
        return bool
    }

    /// An integer or a floating-point number.
    func number() throws(ConfigFileError) -> Double {
        if let double = value.double { return double }
        if let int = value.int { return Double(int) }
        throw wrongType("a number")
    }

    func positiveNumber(unit: String) throws(ConfigFileError) -> Double {
        let number = try number()
        guard number.isFinite, number > 0 else {
            throw error(.invalidValue(reason: "must be a positive number of \(unit) (got \(number))"))
        }
        return number
    }

    func nonNegativeNumber(unit: String) throws(ConfigFileError) -> Double {
        let number = try number()
        guard number.isFinite, number >= 0 else {
            throw error(.invalidValue(reason: "must be a number of \(unit) from 0 up (got \(number))"))
        }
        return number
    }

    /// `[pools.NAME]` tables: `models` (an array of globs), `limit`, and optionally
    /// `input-limit`, `output-limit`, `requests-limit`, `threshold`. `order` lists the names as
    /// the file declares them (matching goes in declaration order).
    func pools(order: [String]) throws(ConfigFileError) -> [PoolSpec] {
        guard let table = value.table else { throw wrongType("a table of [pools.NAME] tables") }
        let names = order.filter { table[$0] != nil } + table.keys.filter { !order.contains($0) }.sorted()
        var specs: [PoolSpec] = []
        for name in names {
            guard let pool = table[name]?.table else {
                throw error(.invalidValue(reason: "'pools.\(name)' must be a table ([pools.\(name)])"))
            }
            var spec = PoolSpec(name: name, models: [], limit: 0)
            var hasLimit = false
            for key in pool.keys.sorted() {
                guard let field = PoolSpec.Key(rawValue: key), let item = pool[key] else {
                    let known = PoolSpec.Key.allCases.map(\.rawValue).joined(separator: ", ")
                    throw error(.invalidValue(reason: "'pools.\(name)' has an unknown key '\(key)' (keys: \(known))"))
                }
                let nested = ConfigValueReader(path: path, key: "pools.\(name).\(key)", line: line, value: item, source: source)
                switch field {
                case .models:
                    guard let array = item.array else { throw nested.error(.wrongType(expected: "an array of strings", found: Self.describe(item.type))) }
                    var models: [String] = []
                    for element in array {
                        guard let glob = element.string else {
                            throw nested.error(.wrongType(expected: "an array of strings", found: "an array with \(Self.describe(element.type))"))
                        }
                        models.append(glob)
                    }
                    spec.models = models
                case .limit:
                    spec.limit = try nested.count()
                    hasLimit = true
                case .inputLimit: spec.inputLimit = try nested.count()
                case .outputLimit: spec.outputLimit = try nested.count()
                case .requestsLimit: spec.requestsLimit = try nested.count()
                case .threshold: spec.threshold = try nested.fraction()
                }
            }
            guard !spec.models.isEmpty else { throw error(.invalidValue(reason: "'pools.\(name)' needs models = [\"GLOB\", ...]")) }
            guard hasLimit else { throw error(.invalidValue(reason: "'pools.\(name)' needs a limit")) }
            specs.append(spec)
        }
        return specs
    }

    /// `"sliding-window"` or `"token-bucket"`.
    func algorithm() throws(ConfigFileError) -> AccountingAlgorithm {
        let name = try string()
        guard let algorithm = AccountingAlgorithm(rawValue: name) else {
            let known = AccountingAlgorithm.allCases.map(\.rawValue).joined(separator: ", ")
            throw error(.invalidValue(reason: "must be one of \(known) (got '\(name)')"))
        }
        return algorithm
    }

    /// A string from a closed set of names.
    func oneOf(_ names: [String]) throws(ConfigFileError) -> String {
        let name = try string()
        guard names.contains(name) else {
            throw error(.invalidValue(reason: "must be one of \(names.joined(separator: ", ")) (got '\(name)')"))
        }
        return name
    }

    func fraction() throws(ConfigFileError) -> Double {
        let number = try number()
        guard number.isFinite, number > 0, number <= 1 else {
            throw error(.invalidValue(reason: "must be a fraction in (0, 1] (got \(number))"))
        }
        return number
    }

    /// A share kept back: a number from 0 up to but not including 1.
    func reserveFraction() throws(ConfigFileError) -> Double {
        let number = try number()
        guard number.isFinite, number >= 0, number < 1 else {
            throw error(.invalidValue(reason: "must be a fraction from 0 up to but not including 1 (got \(number))"))
        }
        return number
    }

    /// A limit per window: an integer from 1 to 2^53-1.
    func count() throws(ConfigFileError) -> Int64 {
        guard let int = value.int else { throw wrongType("an integer") }
        guard int >= 1, Int64(int) <= TokenCount.maximum else {
            throw error(.invalidValue(reason: "must be from 1 to \(TokenCount.maximum) (got \(int))"))
        }
        return Int64(int)
    }

    func limit() throws(ConfigFileError) -> ServeConfigFile.Limit {
        if value.type == .string {
            guard try string().lowercased() == "auto" else {
                throw error(.invalidValue(reason: "must be a number of tokens or \"auto\""))
            }
            return .auto
        }
        guard value.type == .int else { throw wrongType("an integer or \"auto\"") }
        return .tokens(try count())
    }

    func logLevel() throws(ConfigFileError) -> Logger.Level {
        let name = try string()
        guard let level = Logger.Level(rawValue: name.lowercased()) else {
            let names = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
            throw error(.invalidValue(reason: "must be one of \(names) (got \"\(name)\")"))
        }
        return level
    }

    /// `"HOST:PORT"`, `":PORT"`, `"PORT"` or an integer port.
    func metricsEndpoint() throws(ConfigFileError) -> MetricsEndpoint {
        let text: String
        if let port = value.int {
            text = String(port)
        } else if value.type == .string {
            text = try string()
        } else {
            throw wrongType("\"HOST:PORT\" or a port number")
        }
        do {
            return try MetricsEndpoint(parsing: text)
        } catch {
            throw self.error(.invalidValue(reason: "is not a valid address: \(error.reason)"))
        }
    }

    static func describe(_ type: TOMLType) -> String {
        switch type {
        case .table: "a table"
        case .array: "an array"
        case .string: "a string"
        case .int: "an integer"
        case .double: "a floating-point number"
        case .bool: "a boolean"
        case .date: "a date"
        case .time: "a time"
        case .dateTime: "a date-time"
        }
    }
}
