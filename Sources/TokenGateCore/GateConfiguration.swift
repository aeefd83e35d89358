/// Everything a gate is configured with. Limits are per window.
public struct GateConfiguration: Hashable, Sendable {
    /// The window length (60 s by default).
    public var window: TimeSpan
    /// The limit of each configured budget; `tokens` is always present.
    public private(set) var limits: [BudgetKind: Int64]
    /// The fraction of each limit that admission may fill (0.9 by default).
    public private(set) var threshold: Double
    /// Whether cache reads count against the `tokens` budget (Anthropic does not count them).
    public var countsCacheRead: Bool
    /// How long a granted ticket may stay unsettled before it is charged at its estimate.
    public var lease: TimeSpan
    public var policy: AdmissionPolicy
    /// Coalescing slots per window: bounds window memory.
    public var slotsPerWindow: Int
    /// The longest a request takes from its grant to reaching the provider (1 s by default): a
    /// grant's place leaves the window at grant + window + send margin.
    public var sendMargin: TimeSpan
    /// How the provider's limit is modelled over time.
    public var algorithm: AccountingAlgorithm
    /// Differences between the provider's figure and the timeline up to this many tokens count
    /// nothing (the provider rounds what is left down to whole thousands).
    public var providerRounding: Int64 = 1_000
    /// The share of each budget's capacity (threshold x limit) that only high-priority grants may
    /// fill, in [0, 1); 0 (the default) keeps nothing back.
    public private(set) var highReserve: Double = 0
    /// How long a waiter waits before its place rises one priority (low to normal, normal to high):
    /// the bound on how long higher-priority demand can pass it. One window by default; zero turns
    /// aging off (strict priorities, which can starve low ones).
    public var priorityAging: TimeSpan

    /// The default send margin: 1 s.
    public static let defaultSendMargin = TimeSpan.seconds(1)

    /// The contract's defaults: 1,800,000 tokens per 60 s window at threshold 0.9.
    public static let defaultTokenLimit: Int64 = 1_800_000

    public init(
        tokenLimit: Int64 = GateConfiguration.defaultTokenLimit,
        window: TimeSpan = .seconds(60),
        threshold: Double = 0.9,
        inputLimit: Int64? = nil,
        outputLimit: Int64? = nil,
        requestsLimit: Int64? = nil,
        countsCacheRead: Bool = false,
        lease: TimeSpan = .seconds(600),
        policy: AdmissionPolicy = .reserving,
        slotsPerWindow: Int = 1000,
        sendMargin: TimeSpan = GateConfiguration.defaultSendMargin,
        algorithm: AccountingAlgorithm = .slidingWindow,
        highReserve: Double = 0,
        priorityAging: TimeSpan? = nil
    ) throws(ConfigurationError) {
        guard window.nanoseconds > 0 else { throw .invalidWindow(window.seconds) }
        guard sendMargin.nanoseconds >= 0 else { throw .invalidSendMargin(sendMargin.seconds) }
        guard lease.nanoseconds > 0 else { throw .invalidLease(lease.seconds) }
        guard slotsPerWindow > 0 else { throw .invalidSlots(slotsPerWindow) }
        self.window = window
        self.limits = [:]
        self.threshold = 0.9
        self.countsCacheRead = countsCacheRead
        self.lease = lease
        self.policy = policy
        self.slotsPerWindow = slotsPerWindow
        self.sendMargin = sendMargin
        self.algorithm = algorithm
        self.priorityAging = priorityAging ?? window
        try setThreshold(threshold)
        try setHighReserve(highReserve)
        try setLimit(tokenLimit, for: .tokens)
        if let inputLimit { try setLimit(inputLimit, for: .input) }
        if let outputLimit { try setLimit(outputLimit, for: .output) }
        if let requestsLimit { try setLimit(requestsLimit, for: .requests) }
    }

    /// The configured budgets in a stable order: tokens, input, output, requests.
    public var budgets: [BudgetKind] { BudgetKind.allCases.filter { limits[$0] != nil } }

    /// The limit of `kind`, or nil when that budget is off.
    public func limit(of kind: BudgetKind) -> Int64? { limits[kind] }

    /// Sets the limit (1 ... 2^53-1) of `kind`; `nil` turns the budget off (not allowed for tokens).
    public mutating func setLimit(_ limit: Int64?, for kind: BudgetKind) throws(ConfigurationError) {
        guard let limit else {
            guard kind != .tokens else { throw .tokensBudgetRequired }
            limits[kind] = nil
            return
        }
        guard limit >= 1, limit <= TokenCount.maximum else { throw .invalidLimit(kind, limit) }
        limits[kind] = limit
    }

    /// Sets the threshold, a fraction in (0, 1].
    public mutating func setThreshold(_ threshold: Double) throws(ConfigurationError) {
        guard threshold.isFinite, threshold > 0, threshold <= 1 else { throw .invalidThreshold(threshold) }
        self.threshold = threshold
    }

    /// Sets the share of each capacity kept for high-priority grants, in [0, 1).
    public mutating func setHighReserve(_ reserve: Double) throws(ConfigurationError) {
        guard reserve.isFinite, reserve >= 0, reserve < 1 else { throw .invalidHighReserve(reserve) }
        highReserve = reserve
    }

    /// What grants of `priority` may fill of `kind`: the capacity for high priority, the capacity
    /// less the high reserve for the others.
    public func capacity(of kind: BudgetKind, for priority: Priority) -> Int64? {
        guard let capacity = capacity(of: kind) else { return nil }
        guard priority != .high, highReserve > 0 else { return capacity }
        return Self.fraction(1 - highReserve, of: capacity)
    }

    /// threshold x limit of `kind` in whole units: what admission may fill. A product within 1e-9
    /// of an integer is taken as that integer, so 0.9 x 1,800,000 is 1,620,000 and not one less.
    public func capacity(of kind: BudgetKind) -> Int64? {
        guard let limit = limits[kind] else { return nil }
        return Self.fraction(threshold, of: limit)
    }

    static func fraction(_ fraction: Double, of limit: Int64) -> Int64 {
        let exact = fraction * Double(limit)
        let nearest = exact.rounded()
        if abs(exact - nearest) <= 1e-9 * max(1, exact) { return Int64(nearest) }
        return Int64(exact.rounded(.down))
    }
}

/// A configuration value out of range.
public enum ConfigurationError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidWindow(Double)
    case invalidLease(Double)
    case invalidSlots(Int)
    case invalidLimit(BudgetKind, Int64)
    case invalidThreshold(Double)
    case invalidSendMargin(Double)
    case invalidHighReserve(Double)
    case invalidCap(Double)
    case tokensBudgetRequired

    public var description: String {
        switch self {
        case .invalidWindow(let seconds): "the window must be longer than 0 s (got \(seconds))"
        case .invalidLease(let seconds): "the lease must be longer than 0 s (got \(seconds))"
        case .invalidSlots(let slots): "slots per window must be at least 1 (got \(slots))"
        case .invalidLimit(let kind, let limit):
            "the \(kind.rawValue) limit must be between 1 and \(TokenCount.maximum) (got \(limit))"
        case .invalidThreshold(let threshold): "the threshold must be in (0, 1] (got \(threshold))"
        case .invalidSendMargin(let seconds):
            "the send margin must be 0 s or more (got \(seconds))"
        case .invalidHighReserve(let reserve):
            "the high-priority reserve must be a fraction from 0 up to but not including 1 (got \(reserve))"
        case .invalidCap(let cap): "a worker's cap must be a fraction greater than 0 and at most 1 (got \(cap))"
        case .tokensBudgetRequired: "the tokens budget cannot be turned off"
        }
    }
}
