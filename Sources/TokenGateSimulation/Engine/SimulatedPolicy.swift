import TokenGateCore

/// How the workers decide when to send.
public enum SimulatedPolicy: Hashable, Sendable {
    /// No limiter: send at once; after a 429, wait the provider's retry-after and send again.
    case noLimiter
    /// The seed limiter (`AdmissionPolicy.seedOriginal`): a request goes while the tokens reported
    /// in the window are under 0.8 x limit; waiters re-check every 2 s; no reservations, no
    /// estimates, and a 429 never reaches the shared state (the worker waits retry-after and asks
    /// the limiter again).
    case seed
    /// tokengate (`AdmissionPolicy.reserving`) at `threshold` with `algorithm`: the estimate is
    /// placed on the timeline at the grant and replaced by the real usage at the report; a 429 is
    /// reported to the gate (cooldown until retry-after) and the ticket released, then the worker
    /// acquires again.
    case tokengate(threshold: Double, algorithm: AccountingAlgorithm = .slidingWindow)
    /// tokengate at `threshold` with provider feedback: as `tokengate`, and after each accepted
    /// request the worker forwards the provider's rate-limit headers (limit, remaining rounded
    /// down to thousands, reset) to the gate's `observe`, which counts what the provider has
    /// charged beyond the gate's own window as external usage until the reset.
    case tokengateFeedback(threshold: Double, algorithm: AccountingAlgorithm = .slidingWindow)

    /// The thresholds a default run compares.
    public static let standardThresholds: [Double] = [0.9, 0.95, 1.0]

    /// The policies a default run compares: none, seed, and tokengate at each threshold with the
    /// sliding-window algorithm.
    public static let standard = policies(thresholds: standardThresholds, algorithms: [.slidingWindow])

    /// No limiter, the seed, then tokengate with each algorithm at each threshold.
    public static func policies(thresholds: [Double], algorithms: [AccountingAlgorithm]) -> [SimulatedPolicy] {
        [.noLimiter, .seed] + algorithms.flatMap { algorithm in
            thresholds.map { SimulatedPolicy.tokengate(threshold: $0, algorithm: algorithm) }
        }
    }
    /// A short human label.
    public var label: String {
        switch self {
        case .noLimiter: "no limiter"
        case .seed: "seed 0.8/2s"
        case .tokengate(let threshold, let algorithm):
            "tokengate \(DecimalText.fixed(threshold, decimals: 2))\(Self.labelSuffix(algorithm))"
        case .tokengateFeedback(let threshold, let algorithm):
            "tokengate \(DecimalText.fixed(threshold, decimals: 2))\(Self.labelSuffix(algorithm)) +fb"
        }
    }

    /// A machine-readable name for CSV and JSON.
    public var key: String {
        switch self {
        case .noLimiter: "none"
        case .seed: "seed"
        case .tokengate(let threshold, let algorithm):
            "tokengate-\(DecimalText.fixed(threshold, decimals: 2))\(Self.keySuffix(algorithm))"
        case .tokengateFeedback(let threshold, let algorithm):
            "tokengate-\(DecimalText.fixed(threshold, decimals: 2))\(Self.keySuffix(algorithm))-feedback"
        }
    }

    /// The sliding window is the default and carries no suffix.
    private static func labelSuffix(_ algorithm: AccountingAlgorithm) -> String {
        algorithm == .slidingWindow ? "" : " bucket"
    }

    private static func keySuffix(_ algorithm: AccountingAlgorithm) -> String {
        algorithm == .slidingWindow ? "" : "-bucket"
    }

    /// Whether the workers give the gate estimates (tokengate) or not (the seed limiter).
    var takesEstimates: Bool {
        switch self {
        case .tokengate, .tokengateFeedback: true
        case .noLimiter, .seed: false
        }
    }

    /// Whether the workers forward the provider's rate-limit headers to the gate.
    var observesProvider: Bool {
        if case .tokengateFeedback = self { return true }
        return false
    }

    /// The gate this policy runs, or nil for no limiter. `lease` must outlast every request.
    func gateConfiguration(
        limit: Int64, window: TimeSpan, lease: TimeSpan, sendMargin: TimeSpan
    ) throws(ConfigurationError) -> GateConfiguration? {
        switch self {
        case .noLimiter:
            return nil
        case .seed:
            return try GateConfiguration(
                tokenLimit: limit, window: window, threshold: 0.8, lease: lease, policy: .seedOriginal,
                sendMargin: .zero
            )
        case .tokengate(let threshold, let algorithm), .tokengateFeedback(let threshold, let algorithm):
            return try GateConfiguration(
                tokenLimit: limit, window: window, threshold: threshold, lease: lease, policy: .reserving,
                sendMargin: sendMargin, algorithm: algorithm
            )
        }
    }
}
