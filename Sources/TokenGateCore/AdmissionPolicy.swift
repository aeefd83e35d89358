/// How a gate decides who may go.
public enum AdmissionPolicy: Hashable, Sendable {
    /// tokengate's rule: a FIFO queue; the head is granted when, for every configured budget,
    /// used + reserved + estimate <= threshold x limit; a grant reserves its estimate.
    case reserving
    /// The seed limiter, faults included: no reservations, a request may go while the tokens used
    /// in the window are under `threshold` x limit (0.8 in the original), and a waiter re-checks on
    /// its own every `recheck` (2 s in the original), so waiters pass together and in no order.
    case seed(threshold: Double, recheck: TimeSpan)

    /// The original seed limiter: 0.8 of the limit, re-checks every 2 s.
    public static let seedOriginal = AdmissionPolicy.seed(threshold: 0.8, recheck: .seconds(2))
}
