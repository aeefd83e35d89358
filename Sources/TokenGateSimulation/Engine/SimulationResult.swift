import TokenGateCore

/// What one simulation measured.
public struct SimulationResult: Hashable, Sendable {
    /// What was simulated.
    public let simulationCase: SimulationCase
    /// The tokens per window the workers would send if nothing held them back, as a multiple of
    /// the limit (see `JobSet.offeredTokensPerSecond`): below 1 the limit never binds.
    public let offeredLoad: Double
    /// Requests served (every request of the job set is served in the end).
    public let requests: Int
    /// Tokens served: the real cost of every request, charged when the provider accepted it.
    public let servedTokens: Int64
    /// Served tokens / (limit x makespan / window): the whole job set, from t = 0 to its last response.
    public let servedShare: Double
    /// Served tokens sent in the steady interval / (limit x its length / window), or nil when there
    /// is no such interval. See `steadyInterval`.
    public let steadyShare: Double?
    /// The whole windows from t = window (the provider's initial allowance is spent) up to the
    /// instant the first worker finished its list (from then on fewer workers compete): every
    /// worker busy, warm-up and drain left out. Whole windows, so that a hard sliding window
    /// provider can never show more than 100 %. Nil when not even one window fits.
    public let steadyInterval: Range<Instant>?
    /// Requests the provider refused with a 429.
    public let overshoots: Int
    /// Requests offered to the provider, refused ones included.
    public let attempts: Int
    /// Tokens the unseen second consumer got served (shared workload; 0 otherwise).
    public let backgroundTokens: Int64
    /// The unseen consumer's served tokens / (limit x makespan / window), or nil without one.
    public let backgroundShare: Double?
    /// 429s the unseen consumer got (not counted in `overshoots`).
    public let backgroundRefusals: Int
    /// Median (nearest rank) of the wait: from wanting to send a request to the provider accepting
    /// it (queueing at the limiter, re-checks, and 429 back-offs).
    public let waitMedian: TimeSpan
    /// 99th percentile (nearest rank) of the same wait.
    public let waitP99: TimeSpan
    /// From t = 0 to the end of the last request.
    public let makespan: TimeSpan
    /// Events processed (stale timers included).
    public let events: Int
    /// Timers the gate asked for at the current instant right after an advance (each run 1 ns
    /// later instead of looping). Always 0 unless the gate has a bug.
    public let stalledWakeUps: Int
    /// Settles of tickets the gate had dropped (a lease ran out). Always 0: the lease outlasts
    /// every request.
    public let unknownTickets: Int

    init(simulationCase: SimulationCase, jobs: JobSet, settings: SimulationSettings, metrics: RunMetrics) {
        let windowSeconds = settings.window.seconds
        let limitPerSecond = Double(settings.limit) / windowSeconds
        self.simulationCase = simulationCase
        self.offeredLoad = jobs.offeredTokensPerSecond / limitPerSecond
        self.requests = metrics.waits.count
        self.servedTokens = metrics.sentTokens.reduce(0, +)
        let makespan = metrics.makespan - Instant.zero
        self.makespan = makespan
        self.servedShare = makespan.nanoseconds > 0 ? Double(servedTokens) / (limitPerSecond * makespan.seconds) : 0
        let start = Instant.zero + settings.window
        let wholeWindows = metrics.firstWorkerDone.map { ($0 - start).nanoseconds / settings.window.nanoseconds } ?? 0
        if wholeWindows >= 1 {
            let end = start + settings.window * wholeWindows
            var tokens: Int64 = 0
            for (sent, amount) in zip(metrics.sentAt, metrics.sentTokens)
            where sent >= start.nanoseconds && sent < end.nanoseconds {
                tokens += amount
            }
            self.steadyInterval = start..<end
            self.steadyShare = Double(tokens) / (limitPerSecond * (end - start).seconds)
        } else {
            self.steadyInterval = nil
            self.steadyShare = nil
        }
        self.overshoots = metrics.overshoots
        self.attempts = metrics.attempts
        self.backgroundTokens = metrics.backgroundTokens
        self.backgroundRefusals = metrics.backgroundRefusals
        self.backgroundShare = jobs.workload.shape.background == nil || makespan.nanoseconds <= 0
            ? nil : Double(metrics.backgroundTokens) / (limitPerSecond * makespan.seconds)
        let sortedWaits = metrics.waits.sorted()
        self.waitMedian = TimeSpan(nanoseconds: Self.nearestRank(0.5, of: sortedWaits))
        self.waitP99 = TimeSpan(nanoseconds: Self.nearestRank(0.99, of: sortedWaits))
        self.events = metrics.events
        self.stalledWakeUps = metrics.stalledWakeUps
        self.unknownTickets = metrics.unknownTickets
    }

    /// The nearest-rank percentile `p` of sorted values: the smallest value with at least p of
    /// them at or below it (0 when empty).
    static func nearestRank(_ p: Double, of sorted: [Int64]) -> Int64 {
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((p * Double(sorted.count)).rounded(.up))
        return sorted[min(sorted.count, max(1, rank)) - 1]
    }
}
