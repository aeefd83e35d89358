import TokenGateCore

/// The kinds of traffic the simulation runs. Each worker works through its own list of requests,
/// one at a time: it waits `delayBefore` (its start offset, then a think time between requests),
/// wants to send, sends when its policy lets it, and reports when the request ends.
public enum Workload: String, CaseIterable, Hashable, Sendable {
    /// Medium requests, workers starting spread over 10 s, 2 s mean think time.
    case steady
    /// Large requests, every worker starting at t = 0 with no think time: everyone at once.
    case burst
    /// Long streams: large inputs and heavy-tailed (Pareto) outputs streamed for up to ~7 min, so
    /// the usage lands only when the stream ends.
    case streams
    /// Many small requests: 10 x the requests per worker, ~400 tokens each, 0.2 s think time.
    case small
    /// The steady workers, plus a second consumer of the same limit the gate never sees (another
    /// tool of the organisation): `BackgroundConsumer.quarter`, a quarter of the limit.
    case shared

    /// The parameters of this workload.
    public var shape: WorkloadShape {
        switch self {
        case .steady:
            WorkloadShape(
                input: .logNormal(median: 6_000, sigma: 0.6), output: .logNormal(median: 400, sigma: 0.8),
                outputCap: 8_000, meanThink: 2, startSpread: 10, requestsScale: 1, streamTag: 1
            )
        case .burst:
            WorkloadShape(
                input: .logNormal(median: 20_000, sigma: 0.4), output: .logNormal(median: 600, sigma: 0.6),
                outputCap: 8_000, meanThink: 0, startSpread: 0, requestsScale: 1, streamTag: 2
            )
        case .streams:
            WorkloadShape(
                input: .logNormal(median: 20_000, sigma: 0.5), output: .pareto(minimum: 1_000, alpha: 1.3),
                outputCap: 24_000, meanThink: 5, startSpread: 10, requestsScale: 1, streamTag: 3
            )
        case .small:
            WorkloadShape(
                input: .logNormal(median: 300, sigma: 0.5), output: .logNormal(median: 50, sigma: 0.6),
                outputCap: 2_000, meanThink: 0.2, startSpread: 2, requestsScale: 10, streamTag: 4
            )
        case .shared:
            WorkloadShape(
                input: .logNormal(median: 6_000, sigma: 0.6), output: .logNormal(median: 400, sigma: 0.8),
                outputCap: 8_000, meanThink: 2, startSpread: 10, requestsScale: 1, streamTag: 5,
                background: .quarter
            )
        }
    }
}

/// What a workload draws its requests from.
public struct WorkloadShape: Hashable, Sendable {
    /// Input tokens of a request (known exactly to the client before sending).
    public var input: SizeDistribution
    /// Output tokens of a request (known only when it ends).
    public var output: SizeDistribution
    /// The largest output a request may have (a `max_tokens`).
    public var outputCap: Int64
    /// Mean of the exponential think time between a worker's requests, in seconds.
    public var meanThink: Double
    /// Workers start uniformly spread over [0, startSpread) seconds; 0 starts them all at t = 0.
    public var startSpread: Double
    /// Requests per worker, as a multiple of the run's `--requests`.
    public var requestsScale: Int
    /// Identifies the workload's random stream (stable across runs and releases).
    public var streamTag: UInt64
    /// A second consumer of the same limit, unseen by the gate, or nil.
    public var background: BackgroundConsumer? = nil
}

/// Another client of the same organisation limit that no limiter sees: it sends `requestTokens`
/// at a steady pace adding up to `share` of the limit per window, from t = 0 until the last worker
/// is done. A 429 makes it wait the retry-after and send the same request again.
public struct BackgroundConsumer: Hashable, Sendable {
    /// The fraction of the limit it spends per window when nothing refuses it.
    public var share: Double
    /// The tokens of each of its requests (capped at an eighth of the limit).
    public var requestTokens: Int64

    /// A consumer spending `share` of the limit in requests of `requestTokens`.
    public init(share: Double, requestTokens: Int64) {
        self.share = share
        self.requestTokens = requestTokens
    }

    /// 25 % of the limit, in requests of 5,000 tokens.
    public static let quarter = BackgroundConsumer(share: 0.25, requestTokens: 5_000)

    /// Its request size under `limit`.
    func tokens(limit: Int64) -> Int64 { max(1, min(requestTokens, limit / 8)) }

    /// The pause between its requests under `limit` per `window`.
    func interval(limit: Int64, window: TimeSpan) -> TimeSpan {
        let perSecond = max(1e-9, share * Double(limit) / window.seconds)
        return TimeSpan(nanoseconds: max(1, TimeSpan.seconds(Double(tokens(limit: limit)) / perSecond).nanoseconds))
    }
}
