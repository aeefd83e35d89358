import TokenGateCore

/// What every simulation of a run shares.
public struct SimulationSettings: Hashable, Sendable {
    /// The seed every job set is drawn from.
    public var seed: UInt64
    /// The organisation limit, in tokens per window, for the provider and the gates alike.
    public var limit: Int64
    /// The window of the provider's limit and of the gates.
    public var window: TimeSpan
    /// Requests per worker (the small workload sends 10 x as many).
    public var requestsPerWorker: Int
    /// How the provider rounds its retry-after answer.
    public var retryAfter: RetryAfter
    /// How long requests take.
    public var serviceTime: ServiceTime
    /// A safety stop: a simulation processing more events than this fails instead of running on.
    public var maximumEvents: Int
    /// The gates' send margin: the longest a request may take from its grant to the provider.
    public var sendMargin: TimeSpan
    /// Each request reaches the provider a random delay after its grant, uniform in
    /// [0, sendDelay] (seeded): 80 % of the send margin by default.
    public var sendDelay: TimeSpan

    /// The defaults of `tokengate bench sim`: seed 1, 1,800,000 tokens per 60 s, 20 requests per worker.
    public init(
        seed: UInt64 = 1, limit: Int64 = 1_800_000, window: TimeSpan = .seconds(60), requestsPerWorker: Int = 20,
        retryAfter: RetryAfter = RetryAfter(), serviceTime: ServiceTime = .typical, maximumEvents: Int = 50_000_000,
        sendMargin: TimeSpan = GateConfiguration.defaultSendMargin, sendDelay: TimeSpan? = nil
    ) {
        self.sendMargin = sendMargin
        self.sendDelay = sendDelay ?? TimeSpan(nanoseconds: sendMargin.nanoseconds / 5 * 4)
        self.seed = seed
        self.limit = limit
        self.window = window
        self.requestsPerWorker = requestsPerWorker
        self.retryAfter = retryAfter
        self.serviceTime = serviceTime
        self.maximumEvents = maximumEvents
    }
}
