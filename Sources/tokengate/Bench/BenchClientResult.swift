import Foundation

/// What one `bench socket-client` process measured: printed as one JSON line on its stdout and
/// read back by `bench socket`.
struct BenchClientResult: Codable, Sendable {
    /// `rt` (acquire, grant, report), `acquire` (the same, timing the acquire alone) or `report`
    /// (ticketless reports only).
    var mode: String
    /// Operations completed inside the measured interval (a round trip counts once).
    var count: Int
    /// Calls that failed (the run goes on).
    var errors: Int
    /// The measured interval, in seconds.
    var elapsedSeconds: Double
    /// The latency of every completed operation, in nanoseconds, as the worker saw it.
    var latenciesNs: [Int64]

    enum CodingKeys: String, CodingKey {
        case mode, count, errors
        case elapsedSeconds = "elapsed_s"
        case latenciesNs = "latencies_ns"
    }
}
