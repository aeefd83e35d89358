import TokenGateCore

/// A pool as `serve` declares it (contract v2), from `--pool 'NAME:models=GLOB|GLOB,limit=N,...'`
/// or a `[pools.NAME]` table: its name, model globs and limits. Window, lease, send margin and
/// algorithm are the daemon's; an absent threshold is the daemon's too.
public struct PoolSpec: Equatable, Sendable {
    public var name: String
    public var models: [String]
    public var limit: Int64
    public var inputLimit: Int64?
    public var outputLimit: Int64?
    public var requestsLimit: Int64?
    public var threshold: Double?

    public init(
        name: String, models: [String], limit: Int64, inputLimit: Int64? = nil, outputLimit: Int64? = nil,
        requestsLimit: Int64? = nil, threshold: Double? = nil
    ) {
        self.name = name
        self.models = models
        self.limit = limit
        self.inputLimit = inputLimit
        self.outputLimit = outputLimit
        self.requestsLimit = requestsLimit
        self.threshold = threshold
    }

    /// The keys of a pool (a `[pools.NAME]` table, or the `key=value` list of `--pool`).
    public enum Key: String, CaseIterable, Sendable {
        case models, limit, threshold
        case inputLimit = "input-limit"
        case outputLimit = "output-limit"
        case requestsLimit = "requests-limit"
    }

    /// Parses `--pool NAME:models=GLOB|GLOB,limit=N[,input-limit=N][,output-limit=N][,requests-limit=N][,threshold=F]`.
    public init(flag text: String) throws(PoolSpecError) {
        guard let colon = text.firstIndex(of: ":") else {
            throw PoolSpecError("--pool '\(text)': expected NAME:models=GLOB|GLOB,limit=N[,...]")
        }
        let name = String(text[..<colon])
        var models: [String]?
        var limit: Int64?
        var spec = PoolSpec(name: name, models: [], limit: 0)
        for item in text[text.index(after: colon)...].split(separator: ",", omittingEmptySubsequences: false) {
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, let key = Key(rawValue: String(parts[0])) else {
                let known = Key.allCases.map(\.rawValue).joined(separator: ", ")
                throw PoolSpecError("--pool '\(name)': unknown or malformed '\(item)' (keys: \(known))")
            }
            let value = String(parts[1])
            func count() throws(PoolSpecError) -> Int64 {
                guard let number = Int64(value), number >= 1, number <= TokenCount.maximum else {
                    throw PoolSpecError("--pool '\(name)': \(key.rawValue) must be an integer from 1 to \(TokenCount.maximum) (got '\(value)')")
                }
                return number
            }
            switch key {
            case .models: models = value.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            case .limit: limit = try count()
            case .inputLimit: spec.inputLimit = try count()
            case .outputLimit: spec.outputLimit = try count()
            case .requestsLimit: spec.requestsLimit = try count()
            case .threshold:
                guard let fraction = Double(value), fraction.isFinite, fraction > 0, fraction <= 1 else {
                    throw PoolSpecError("--pool '\(name)': threshold must be a fraction in (0, 1] (got '\(value)')")
                }
                spec.threshold = fraction
            }
        }
        guard let models, !models.isEmpty else { throw PoolSpecError("--pool '\(name)': models=GLOB|GLOB is required") }
        guard let limit else { throw PoolSpecError("--pool '\(name)': limit=N is required") }
        spec.models = models
        spec.limit = limit
        self = spec
    }

    /// The core's declaration, with the daemon's window, lease, margin, algorithm, threshold, high
    /// reserve and priority aging.
    public func declaration(daemon: GateConfiguration) throws(PoolSpecError) -> PoolSet.Declaration {
        do {
            let configuration = try GateConfiguration(
                tokenLimit: limit, window: daemon.window, threshold: threshold ?? daemon.threshold,
                inputLimit: inputLimit, outputLimit: outputLimit, requestsLimit: requestsLimit,
                countsCacheRead: daemon.countsCacheRead, lease: daemon.lease, policy: daemon.policy,
                slotsPerWindow: daemon.slotsPerWindow, sendMargin: daemon.sendMargin, algorithm: daemon.algorithm,
                highReserve: daemon.highReserve, priorityAging: daemon.priorityAging
            )
            var globs: [ModelGlob] = []
            for model in models { globs.append(try ModelGlob(model)) }
            return PoolSet.Declaration(name: name, models: globs, configuration: configuration)
        } catch let error as ConfigurationError {
            throw PoolSpecError("pool '\(name)': \(error)")
        } catch let error as PoolError {
            throw PoolSpecError("pool '\(name)': \(error)")
        } catch {
            throw PoolSpecError("pool '\(name)': \(error)")
        }
    }

    /// Every pool of `specs` after `daemon`'s default, checked as a whole (names, globs, order).
    public static func poolSet(_ specs: [PoolSpec], daemon: GateConfiguration) throws(PoolSpecError) -> PoolSet {
        var declarations: [PoolSet.Declaration] = []
        for spec in specs { declarations.append(try spec.declaration(daemon: daemon)) }
        do {
            return try PoolSet(default: daemon, declarations: declarations)
        } catch {
            throw PoolSpecError(error.description)
        }
    }
}

/// A pool declaration that cannot be used: one line naming it.
public struct PoolSpecError: Error, Equatable, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
