import Foundation
import TokenGateCore
import TokenGateSimulation

/// The one JSON line `bench fleet` prints for a run: its settings, the provider's refusals, the
/// share of the limit served, the busiest window, how evenly hosts and workers were served and how
/// many grants overtook an earlier arrival.
struct FleetLine {
    var model: ProviderModel
    var algorithm: AccountingAlgorithm
    var hosts: Int
    var limit: Int64
    var window: Double
    var threshold: Double
    var sendMargin: Double
    var maxDelayMs: Int
    var duration: Double

    /// The line for `outcomes` (one per connection) and the provider's accepted `charges`.
    func text(outcomes: [FleetClientOutcome], charges: [(at: TimeSpan, tokens: Int64)], refusals: Int) -> String {
        let windows = Int64(duration / window)
        let from = TimeSpan.seconds(window)
        let to = TimeSpan.seconds(window * Double(windows))
        let charged = charges.reduce(0) { $1.at >= from && $1.at < to ? $0 + $1.tokens : $0 }
        let share = Double(charged) / (Double(limit) * Double(windows - 1))
        let grants = outcomes.reduce(0) { $0 + $1.grants }
        let perHost = (0..<hosts).map { host in
            Double(outcomes.filter { $0.host == host }.reduce(Int64(0)) { $0 + $1.served })
        }
        let hostShares = RelativeSpread.shares(perHost).map { String(format: "%.4f", $0) }.joined(separator: ",")
        let busiest = BusiestWindow.mostTokens(charges, window: .seconds(window))
        let overtaken = ArrivalOrder.overtakenShare(outcomes.flatMap(\.acquires))
        let settings = String(
            format: #"{"provider":"%@","algorithm":"%@","clients":%d,"window_s":%g,"threshold":%g,"send_margin_s":%g,"max_delay_ms":%d,"duration_s":%g,"#,
            model.rawValue, algorithm.rawValue, outcomes.count, window, threshold, sendMargin, maxDelayMs, duration)
        let figures = String(
            format: #""grants":%d,"refusals":%d,"served_share":%.4f,"hosts":%d,"limit":%lld,"max_window_tokens":%lld,"#,
            grants, refusals, share, hosts, limit, busiest)
        let spread = String(
            format: #""per_host_share":[%@],"host_spread":%.4f,"worker_spread":%.4f,"overtaken":%.4f}"#,
            hostShares, RelativeSpread.maxDeviation(perHost),
            RelativeSpread.maxDeviation(outcomes.map { Double($0.served) }), overtaken)
        return settings + figures + spread
    }
}
