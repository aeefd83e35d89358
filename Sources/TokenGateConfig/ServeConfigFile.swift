import Foundation
import Logging
import TOMLKit
import TokenGateCore

/// The settings of a `tokengate serve --config FILE`: a TOML file whose keys are the long names of
/// the serve flags (`limit = 400000`, `input-limit = 80000`, `no-state = true`). Every field is nil
/// when the file does not set it; flags given on the command line win over it.
///
/// Relative `socket` and `state` paths are taken from the file's directory, so the file means the
/// same whichever directory the daemon starts in.
public struct ServeConfigFile: Equatable, Sendable {
    /// `limit = 400000` or `limit = "auto"`.
    public enum Limit: Equatable, Sendable {
        case tokens(Int64)
        case auto
    }

    public var socket: String?
    public var limit: Limit?
    public var window: Double?
    public var threshold: Double?
    public var inputLimit: Int64?
    public var outputLimit: Int64?
    public var requestsLimit: Int64?
    public var countCacheRead: Bool?
    public var lease: Double?
    public var allowGroup: String?
    public var state: String?
    public var noState: Bool?
    public var retain: Double?
    public var logLevel: Logger.Level?
    public var metrics: MetricsEndpoint?
    public var sendMargin: Double?
    /// `reserve-high = 0.2`: the share of each capacity only high-priority grants may fill.
    public var reserveHigh: Double?
    public var algorithm: AccountingAlgorithm?
    /// `gateway = "127.0.0.1:8787"` (checked when the daemon starts).
    public var gateway: String?
    public var upstream: String?
    /// `"anthropic"` or `"openai"`.
    public var upstreamKind: String?
    public var gatewayMaxWait: Double?
    public var upstreamTimeout: Double?
    public var upstreamCA: String?
    /// `redis = "redis://HOST:PORT"` or `"unix:///PATH"` (checked when the daemon starts).
    public var redis: String?
    /// `org = "NAME"`: the organisation whose limit the daemons on one Redis share.
    public var org: String?
    /// `host-name = "NAME"`: this daemon's name among the organisation's hosts.
    public var hostName: String?
    /// `[pools.NAME]` tables, in the order the file declares them.
    public var pools: [PoolSpec]?

    /// A file that sets nothing.
    public init() {}

    /// Reads and checks the file at `path`.
    public static func load(path: String) throws(ConfigFileError) -> ServeConfigFile {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            let reason = (error as NSError).localizedFailureReason ?? error.localizedDescription
            throw ConfigFileError(path: path, line: nil, key: nil, kind: .unreadable(reason: reason))
        }
        return try ServeConfigFile(parsing: text, path: path)
    }

    /// Parses `text`, a TOML document; `path` names it in errors and anchors relative paths.
    public init(parsing text: String, path: String) throws(ConfigFileError) {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigFileError(
                path: path, line: error.source.begin.line, key: nil,
                kind: .syntax(message: error.description, column: error.source.begin.column)
            )
        } catch {
            throw ConfigFileError(path: path, line: nil, key: nil, kind: .syntax(message: "\(error)", column: 1))
        }
        let locator = ConfigKeyLocator(text: text)
        let entries = table.keys.map { (key: $0, line: locator.line(of: $0)) }
            .sorted { ($0.line ?? .max, $0.key) < ($1.line ?? .max, $1.key) }
        let directory = (path as NSString).deletingLastPathComponent
        for entry in entries {
            guard let value = table[entry.key] else { continue }
            let reader = ConfigValueReader(path: path, key: entry.key, line: entry.line, value: value, source: text)
            guard let key = ServeConfigKey(rawValue: entry.key) else {
                throw reader.error(.unknownKey(suggestion: ServeConfigKey.suggestion(for: entry.key)?.rawValue))
            }
            try assign(key, from: reader, directory: directory)
        }
        if state != nil, noState == true {
            let lines = [ServeConfigKey.state, .noState].map { locator.line(of: $0.rawValue) ?? 0 }
            throw ConfigFileError(
                path: path, line: lines.max(), key: ServeConfigKey.noState.rawValue,
                kind: .conflict(otherKey: ServeConfigKey.state.rawValue)
            )
        }
    }

    private mutating func assign(_ key: ServeConfigKey, from reader: ConfigValueReader, directory: String) throws(ConfigFileError) {
        switch key {
        case .socket: socket = Self.anchored(try reader.nonEmptyString(), in: directory)
        case .limit: limit = try reader.limit()
        case .window: window = try reader.positiveNumber(unit: "seconds")
        case .threshold: threshold = try reader.fraction()
        case .inputLimit: inputLimit = try reader.count()
        case .outputLimit: outputLimit = try reader.count()
        case .requestsLimit: requestsLimit = try reader.count()
        case .countCacheRead: countCacheRead = try reader.bool()
        case .lease: lease = try reader.positiveNumber(unit: "seconds")
        case .allowGroup: allowGroup = try reader.nonEmptyString()
        case .state: state = Self.anchored(try reader.nonEmptyString(), in: directory)
        case .noState: noState = try reader.bool()
        case .retain: retain = try reader.positiveNumber(unit: "days")
        case .logLevel: logLevel = try reader.logLevel()
        case .metrics: metrics = try reader.metricsEndpoint()
        case .sendMargin: sendMargin = try reader.nonNegativeNumber(unit: "seconds")
        case .reserveHigh: reserveHigh = try reader.reserveFraction()
        case .algorithm: algorithm = try reader.algorithm()
        case .gateway: gateway = try reader.nonEmptyString()
        case .upstream: upstream = try reader.nonEmptyString()
        case .redis: redis = try reader.nonEmptyString()
        case .org: org = try reader.nonEmptyString()
        case .hostName: hostName = try reader.nonEmptyString()
        case .upstreamKind: upstreamKind = try reader.oneOf(["anthropic", "openai"])
        case .gatewayMaxWait: gatewayMaxWait = try reader.positiveNumber(unit: "seconds")
        case .upstreamTimeout: upstreamTimeout = try reader.positiveNumber(unit: "seconds")
        case .upstreamCA: upstreamCA = Self.anchored(try reader.nonEmptyString(), in: directory)
        case .pools: pools = try reader.pools(order: Self.poolOrder(in: reader.source))
        }
    }

    /// The pool names in the order their `[pools.NAME]` headers appear (a TOML table has none).
    static func poolOrder(in text: String) -> [String] {
        text.split(separator: "\n").compactMap { line in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("[pools."), let close = trimmed.firstIndex(of: "]") else { return nil }
            let name = trimmed[trimmed.index(trimmed.startIndex, offsetBy: 7)..<close]
            return String(name).trimmingCharacters(in: CharacterSet(charactersIn: "\"' "))
        }
    }

    /// `path` as written when absolute, else inside `directory`.
    private static func anchored(_ path: String, in directory: String) -> String {
        if path.hasPrefix("/") || directory.isEmpty { return path }
        return (directory as NSString).appendingPathComponent(path)
    }
}
