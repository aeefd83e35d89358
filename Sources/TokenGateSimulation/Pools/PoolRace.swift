import TokenGateCore

/// The pools race (`tokengate bench sim --pools`): a two-model fleet whose provider limits each
/// class on its own, limited by one shared limit (set to the smaller class's, or to the sum) or
/// by one pool per class. Every arrangement faces the same requests.
public struct PoolRacePlan: Hashable, Sendable {
    public var settings: PoolRaceSettings
    public var providers: [ProviderModel]
    public var estimates: [EstimateMode]
    public var workerCounts: [Int]
    public var thresholds: [Double]
    public var arrangements: [PoolArrangement]

    /// The default race: the window provider, exact estimates, 64 workers, threshold 0.9, every arrangement.
    public init(
        settings: PoolRaceSettings = PoolRaceSettings(), providers: [ProviderModel] = [.window],
        estimates: [EstimateMode] = [.exact], workerCounts: [Int] = [64], thresholds: [Double] = [0.9],
        arrangements: [PoolArrangement] = PoolArrangement.allCases
    ) {
        self.settings = settings
        self.providers = providers
        self.estimates = estimates
        self.workerCounts = workerCounts
        self.thresholds = thresholds
        self.arrangements = arrangements
    }

    /// Every case, in report order.
    public var cases: [PoolRaceCase] {
        providers.flatMap { provider in
            estimates.flatMap { estimates in
                workerCounts.flatMap { workers in
                    thresholds.flatMap { threshold in
                        arrangements.map {
                            PoolRaceCase(provider: provider, estimates: estimates, workers: workers, threshold: threshold, arrangement: $0)
                        }
                    }
                }
            }
        }
    }

    /// Runs one case: draws its job set (the steady workload) from the seed and races it.
    public static func run(_ raceCase: PoolRaceCase, settings: PoolRaceSettings) throws(SimulationError) -> PoolRaceResult {
        let common = settings.common
        let jobs: JobSet
        do {
            // Requests are drawn to fit the smaller class's limit, so every class can serve each one.
            jobs = try JobSet(
                workload: .steady, workerCount: raceCase.workers, requestsPerWorker: common.requestsPerWorker,
                seed: common.seed, limit: min(settings.limit(of: .first), settings.limit(of: .second)),
                serviceTime: common.serviceTime
            )
        } catch {
            throw .count(error)
        }
        func providers<P: RateLimitedProvider>(_ make: (Int64) -> P) -> [P] {
            ModelClass.allCases.map { make(settings.limit(of: $0)) }
        }
        switch raceCase.provider {
        case .window:
            var engine = try PoolRaceEngine(
                jobs: jobs, raceCase: raceCase, settings: settings,
                providers: providers { SlidingWindowProvider(limit: $0, window: common.window, retryAfter: common.retryAfter) }
            )
            return try engine.run()
        case .bucket:
            var engine = try PoolRaceEngine(
                jobs: jobs, raceCase: raceCase, settings: settings,
                providers: providers { TokenBucketProvider(limit: $0, window: common.window, retryAfter: common.retryAfter) }
            )
            return try engine.run()
        }
    }
}

/// The results of a pools race, and their renderings.
public struct PoolRaceReport: Hashable, Sendable {
    public let plan: PoolRacePlan
    /// One result per case, in the plan's order.
    public let results: [PoolRaceResult]

    /// A report of `results`, which must follow `plan.cases`.
    public init(plan: PoolRacePlan, results: [PoolRaceResult]) {
        self.plan = plan
        self.results = results
    }

    /// The report as text in `format`, ending with a newline.
    public func render(_ format: ReportFormat) -> String {
        format.pick(table: renderTable, csv: renderCSV, json: renderJSON)
    }

    var parametersLine: String {
        let settings = plan.settings
        let common = settings.common
        return "seed \(common.seed), class A \(settings.limit(of: .first)) and class B \(settings.limit(of: .second)) tokens per "
            + "\(DecimalText.trimmed(common.window.seconds)) s window (each its own provider limit), "
            + "\(DecimalText.percent(settings.secondShare)) of the workers on B, steady workload, "
            + "\(common.requestsPerWorker) requests per worker, virtual time"
    }

    func renderTable() -> String {
        var output = "tokengate bench sim --pools: " + parametersLine + "\n"
        var table = TextTable(columns: [
            ("provider", .left), ("estimates", .left), ("workers", .right), ("threshold", .right), ("daemon", .left),
            ("A used", .right), ("A 429s", .right), ("A wait p99", .right), ("B used", .right), ("B 429s", .right),
            ("B wait p99", .right), ("makespan", .right),
        ])
        var previous: PoolRaceCase?
        for result in results {
            let current = result.raceCase
            let sameGroup = previous.map {
                $0.provider == current.provider && $0.estimates == current.estimates && $0.workers == current.workers
                    && $0.threshold == current.threshold
            } ?? false
            if previous != nil, !sameGroup { table.appendSeparator() }
            let first = result.outcome(.first)
            let second = result.outcome(.second)
            table.append([
                sameGroup ? "" : current.provider.rawValue, sameGroup ? "" : current.estimates.rawValue,
                sameGroup ? "" : String(current.workers), sameGroup ? "" : DecimalText.fixed(current.threshold, decimals: 2),
                current.arrangement.label,
                DecimalText.percent(first.share), String(first.overshoots), DecimalText.duration(first.waitP99),
                DecimalText.percent(second.share), String(second.overshoots), DecimalText.duration(second.waitP99),
                DecimalText.duration(max(first.makespan, second.makespan)),
            ])
            previous = current
        }
        output += "\n" + table.render() + "\n" + Self.legend
        return output
    }

    static let legend = """
        used       tokens the class got served / (its own limit x its makespan / window)
        429s       requests of the class its provider refused (retried after a cooldown of the worker's pool)
        wait p99   from wanting to send a request to the provider accepting it, 99th percentile
        daemon     one limit = smaller: one pool at class B's limit; one limit = sum: one pool at A + B;
                   two pools: default at A's limit and a pool at B's, each class in its own

        """

    static let csvColumns = [
        "provider", "estimates", "workers", "threshold", "daemon", "class", "limit", "class_workers", "requests",
        "served_tokens", "share", "overshoots", "wait_p50_s", "wait_p99_s", "makespan_s",
    ]

    func renderCSV() -> String {
        var text = Self.csvColumns.joined(separator: ",") + "\n"
        for result in results {
            for modelClass in ModelClass.allCases {
                let outcome = result.outcome(modelClass)
                let raceCase = result.raceCase
                text += [
                    raceCase.provider.rawValue, raceCase.estimates.rawValue, String(raceCase.workers),
                    DecimalText.trimmed(raceCase.threshold), raceCase.arrangement.rawValue, modelClass.name,
                    String(outcome.limit), String(outcome.workers), String(outcome.requests), String(outcome.servedTokens),
                    DecimalText.fixed(outcome.share, decimals: 6), String(outcome.overshoots),
                    DecimalText.fixed(outcome.waitMedian.seconds, decimals: 6),
                    DecimalText.fixed(outcome.waitP99.seconds, decimals: 6),
                    DecimalText.fixed(outcome.makespan.seconds, decimals: 6),
                ].joined(separator: ",") + "\n"
            }
        }
        return text
    }
}
