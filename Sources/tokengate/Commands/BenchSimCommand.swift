import ArgumentParser
import Foundation
import TokenGateCore
import TokenGateSimulation

/// `tokengate bench sim`: the limiter against a simulated provider, in virtual time.
struct BenchSimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim",
        abstract: "Race no limiter, the seed limiter and tokengate against a simulated provider, in virtual time.",
        discussion: """
            Each worker works through its own list of requests; a simulated provider enforces the \
            organisation limit (a hard sliding window, or a token bucket refilled continuously) and \
            answers 429 to a request that does not fit. Every policy faces the same requests. The \
            run is deterministic: the same --seed gives the same report, byte for byte.

            Examples:
              tokengate bench sim
              tokengate bench sim --workers 64 --workload steady --provider window
              tokengate bench sim --seed 7 --format csv > sim.csv
              tokengate bench sim --pools --workers 64 --threshold 0.9 --provider window

            With --pools: a two-model fleet instead. Each model class has its own provider limit \
            (class A --limit, class B --second-limit) and --second-share of the workers use class B; \
            the daemon holds one shared limit set to the smaller, one set to the sum, or two pools. \
            The table shows, per class, the share of its own limit it used and its 429s.
            """
    )

    @Option(help: ArgumentHelp("Seed of the random job sets.", valueName: "n"))
    var seed: UInt64 = 1

    @Option(help: ArgumentHelp("Worker counts, comma-separated.", valueName: "list"))
    var workers: String = "8,64,256"

    @Option(
        help: ArgumentHelp(
            "Workloads, comma-separated, or all.",
            discussion: "steady, burst (everyone at t = 0), streams (long heavy-tailed streams), small (many small requests), shared (steady plus an unseen consumer of 25 % of the limit; adds tokengate with provider feedback, +fb).",
            valueName: "list"
        )
    )
    var workload: String = "all"

    @Option(help: ArgumentHelp("Estimate modes, comma-separated: exact, typical.", valueName: "list"))
    var estimates: String = "exact,typical"

    @Option(help: ArgumentHelp("Provider model: window, bucket or both.", valueName: "model"))
    var provider: ProviderChoice = .both

    @Option(help: ArgumentHelp("Output format: table, csv or json.", valueName: "format"))
    var format: FormatChoice = .table

    @Option(help: ArgumentHelp("Window length in seconds; fractions allowed.", valueName: "seconds"))
    var window: Double = 60

    @Option(help: ArgumentHelp("Organisation limit in tokens per window.", valueName: "tokens"))
    var limit: Int64 = GateConfiguration.defaultTokenLimit

    @Option(help: ArgumentHelp("Requests per worker (the small workload sends 10 x as many).", valueName: "n"))
    var requests: Int = 20

    @Option(help: ArgumentHelp("tokengate thresholds to compare, comma-separated.", valueName: "list"))
    var threshold: String = "0.9,0.95,1.0"

    @Option(
        help: ArgumentHelp(
            "tokengate accounting algorithms to compare, comma-separated: sliding-window, token-bucket.",
            valueName: "list"
        )
    )
    var algorithm: String = "sliding-window"

    @Option(
        name: .customLong("send-margin"),
        help: ArgumentHelp("The gates' send margin in seconds (see serve --send-margin).", valueName: "seconds")
    )
    var sendMargin: Double = GateConfiguration.defaultSendMargin.seconds

    @Option(
        name: .customLong("send-delay"),
        help: ArgumentHelp(
            "Each request reaches the provider a random delay after its grant, uniform up to this many seconds (default: 80 % of the send margin; 0 sends at the grant).",
            valueName: "seconds"
        )
    )
    var sendDelay: Double?

    @Option(help: ArgumentHelp("Simulations run in parallel (default: the number of cores).", valueName: "n"))
    var jobs: Int?

    @Flag(name: .customLong("no-progress"), help: "Print no progress line on stderr.")
    var noProgress = false

    @Flag(help: "Race a two-model fleet: one shared limit (the smaller, or the sum) against two pools (see --second-limit, --second-share).")
    var pools = false

    @Option(
        name: .customLong("second-limit"),
        help: ArgumentHelp("With --pools: class B's limit in tokens per window (default: a quarter of --limit).", valueName: "tokens")
    )
    var secondLimit: Int64?

    @Option(
        name: .customLong("second-share"),
        help: ArgumentHelp("With --pools: the share of the workers on class B, above 0 and below 1.", valueName: "fraction")
    )
    var secondShare: Double = 0.3

    @Flag(
        name: .customLong("priorities"),
        help: ArgumentHelp(
            "Run the interactive-plus-batch comparison instead: FIFO against priorities (and a high reserve).",
            discussion: "A few interactive workers at high priority, many batch workers flooding at low; prints the interactive waits (p50, p99) and the batch requests' longest wait. Uses --seed, --limit, --window and the first --threshold; prints a table."
        )
    )
    var priorities = false

    @Option(
        name: .customLong("duration"),
        help: ArgumentHelp("With --priorities: the virtual time the workload runs, in seconds (default 1800).", valueName: "seconds")
    )
    var duration: Double = 1800

    mutating func validate() throws {
        if pools { _ = try poolsPlan() } else { _ = try plan() }
        guard (jobs ?? 1) >= 1 else { throw ValidationError("--jobs must be at least 1") }
    }

    func run() async throws {
        if pools { return try await runPools() }
        if priorities { return try runPriorities() }
        let plan = try plan()
        let settings = plan.settings
        let results = try await runCases(plan.cases) { try Simulation.run($0, settings: settings) }
        let report = BenchmarkReport(plan: plan, results: results)
        FileHandle.standardOutput.write(Data(report.render(format.reportFormat).utf8))
    }

    /// `--priorities`: the interactive-plus-batch comparison, as a table.
    private func runPriorities() throws {
        guard duration.isFinite, duration > 0 else { throw ValidationError("--duration must be a positive number of seconds") }
        guard format == .table else { throw ValidationError("--priorities prints a table only: drop --format") }
        let thresholds = try CommaList.parse(threshold, option: "--threshold") { text in
            Double(text).flatMap { $0 > 0 && $0 <= 1 ? $0 : nil }
        }
        let scenario = PriorityScenario(
            seed: seed, limit: limit, window: .seconds(window), threshold: thresholds.first ?? 0.9, duration: .seconds(duration)
        )
        do {
            FileHandle.standardOutput.write(Data(try PriorityReport.run(scenario).table().utf8))
        } catch {
            throw failure("simulation failed: \(error)")
        }
    }

    /// The plan the options describe; throws a usage error naming the bad option.
    func plan() throws -> BenchmarkPlan {
        guard window.isFinite, window > 0 else { throw ValidationError("--window must be a positive number of seconds") }
        guard limit >= 1, limit <= TokenCount.maximum else { throw ValidationError("--limit must be between 1 and \(TokenCount.maximum)") }
        guard requests >= 1 else { throw ValidationError("--requests must be at least 1") }
        let workerCounts = try CommaList.parse(workers, option: "--workers") { Int($0).flatMap { $0 >= 1 ? $0 : nil } }
        let workloads = workload == "all"
            ? Workload.allCases
            : try CommaList.parse(
                workload, option: "--workload", valid: ["all"] + Workload.allCases.map(\.rawValue)
            ) { Workload(rawValue: $0) }
        let estimateModes = try CommaList.parse(
            estimates, option: "--estimates", valid: EstimateMode.allCases.map(\.rawValue)
        ) { EstimateMode(rawValue: $0) }
        let thresholds = try CommaList.parse(threshold, option: "--threshold") { text in
            Double(text).flatMap { $0 > 0 && $0 <= 1 ? $0 : nil }
        }
        let algorithms = try CommaList.parse(
            algorithm, option: "--algorithm", valid: AccountingAlgorithm.allCases.map(\.rawValue)
        ) { AccountingAlgorithm(rawValue: $0) }
        guard sendMargin.isFinite, sendMargin >= 0 else {
            throw ValidationError("--send-margin must be a number of seconds from 0 up")
        }
        let delay = sendDelay ?? sendMargin * 0.8
        guard delay.isFinite, delay >= 0, delay <= sendMargin else {
            throw ValidationError("--send-delay must be from 0 up to the send margin (\(sendMargin) s)")
        }
        let settings = SimulationSettings(
            seed: seed, limit: limit, window: .seconds(window), requestsPerWorker: requests,
            sendMargin: .seconds(sendMargin), sendDelay: .seconds(delay)
        )
        return BenchmarkPlan(
            settings: settings, providers: provider.models, workloads: workloads, estimates: estimateModes,
            workerCounts: workerCounts,
            policies: SimulatedPolicy.policies(thresholds: thresholds, algorithms: algorithms)
        )
    }
}

extension BenchSimCommand {
    /// `--pools`: the plan the options describe; throws a usage error naming the bad option.
    func poolsPlan() throws -> PoolRacePlan {
        guard workload == "all" else { throw ValidationError("--pools races the steady workload: drop --workload") }
        guard algorithm == "sliding-window" else { throw ValidationError("--pools races the sliding window: drop --algorithm") }
        guard secondShare.isFinite, secondShare > 0, secondShare < 1 else {
            throw ValidationError("--second-share must be above 0 and below 1")
        }
        if let secondLimit, secondLimit < 1 || secondLimit > TokenCount.maximum {
            throw ValidationError("--second-limit must be between 1 and \(TokenCount.maximum)")
        }
        let base = try plan()
        return PoolRacePlan(
            settings: PoolRaceSettings(common: base.settings, secondLimit: secondLimit, secondShare: secondShare),
            providers: base.providers, estimates: base.estimates, workerCounts: base.workerCounts,
            thresholds: try CommaList.parse(threshold, option: "--threshold") { text in
                Double(text).flatMap { $0 > 0 && $0 <= 1 ? $0 : nil }
            }
        )
    }

    /// Runs the pools race, `--jobs` cases at a time, and prints its report.
    func runPools() async throws {
        let plan = try poolsPlan()
        let settings = plan.settings
        let results = try await runCases(plan.cases) { try PoolRacePlan.run($0, settings: settings) }
        let report = PoolRaceReport(plan: plan, results: results)
        FileHandle.standardOutput.write(Data(report.render(format.reportFormat).utf8))
    }

    /// `--provider`.
    enum ProviderChoice: String, CaseIterable, ExpressibleByArgument {
        case window
        case bucket
        case both

        var models: [ProviderModel] {
            switch self {
            case .window: [.window]
            case .bucket: [.bucket]
            case .both: [.window, .bucket]
            }
        }
    }

    /// `--format`.
    enum FormatChoice: String, CaseIterable, ExpressibleByArgument {
        case table
        case csv
        case json

        var reportFormat: ReportFormat {
            switch self {
            case .table: .table
            case .csv: .csv
            case .json: .json
            }
        }
    }

    /// Comma-separated option values.
    enum CommaList {
        /// Each element of `text`, converted; a usage error names the first one that does not convert
        /// (and lists the `valid` names, when given).
        static func parse<Element>(
            _ text: String, option: String, valid: [String]? = nil, _ convert: (String) -> Element?
        ) throws -> [Element] {
            let parts = text.split(separator: ",", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            var values: [Element] = []
            for part in parts {
                guard let value = convert(part) else {
                    let choices = valid.map { " (valid: \($0.joined(separator: ", ")))" } ?? ""
                    throw ValidationError("\(option): invalid value '\(part)'\(choices)")
                }
                values.append(value)
            }
            guard !values.isEmpty else { throw ValidationError("\(option) needs at least one value") }
            return values
        }
    }

    /// `bench sim: 37/192 simulations` on stderr, rewritten in place, when stderr is a terminal.
    struct ProgressLine {
        let enabled: Bool
        let total: Int

        func show(done: Int) {
            guard enabled else { return }
            FileHandle.standardError.write(Data("\rbench sim: \(done)/\(total) simulations".utf8))
        }

        func clear() {
            guard enabled else { return }
            FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
        }
    }
}
