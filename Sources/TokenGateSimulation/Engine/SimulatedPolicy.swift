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
    /// tokengate (`AdmissionPolicy.reserving`) at `threshold`: the estimate is reserved at the grant
    /// and replaced by the real usage at the report; a 429 is reported to the gate (cooldown until
    /// retry-after) and the ticket released, then the worker acquires again.
    case tokengate(threshold: Double)
    /// tokengate at `threshold` with provider feedback: as `tokengate`, and after each accepted
    /// request the worker forwards the provider's rate-limit headers (limit, remaining rounded
    /// down to thousands, reset) to the gate's `observe`, which counts what the provider has
    /// charged beyond the gate's own window as external usage until the reset.
    case tokengateFeedback(threshold: Double)

    /// The policies a default run compares: none, seed, tokengate at 0.9 and at 0.95.
    public static let standard: [SimulatedPolicy] = [.noLimiter, .seed, .tokengate(threshold: 0.9), .tokengate(threshold: 0.95)]

    /// A short human label.
    public var label: String {
        switch self {
        case .noLimiter: "no limiter"
        case .seed: "seed 0.8/2s"
        case .tokengate(let threshold): "tokengate \(DecimalText.fixed(threshold, decimals: 2))"
        case .tokengateFeedback(let threshold): "tokengate \(DecimalText.fixed(threshold, decimals: 2)) +fb"
        }
    }

    /// A machine-readable name for CSV and JSON.
    public var key: String {
        switch self {
        case .noLimiter: "none"
        case .seed: "seed"
        case .tokengate(let threshold): "tokengate-\(DecimalText.fixed(threshold, decimals: 2))"
        case .tokengateFeedback(let threshold): "tokengate-\(DecimalText.fixed(threshold, decimals: 2))-feedback"
        }
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
    func gateConfiguration(limit: Int64, window: TimeSpan, lease: TimeSpan) throws(ConfigurationError) -> GateConfiguration? {
        switch self {
        case .noLimiter:
            return nil
        case .seed:
            return try GateConfiguration(
                tokenLimit: limit, window: window, threshold: 0.8, lease: lease, policy: .seedOriginal
            )
        case .tokengate(let threshold), .tokengateFeedback(let threshold):
            return try GateConfiguration(
                tokenLimit: limit, window: window, threshold: threshold, lease: lease, policy: .reserving
            )
        }
    }
}
