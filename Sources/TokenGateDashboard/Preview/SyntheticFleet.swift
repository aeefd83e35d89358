import TokenGateCore
import TokenGateWire

/// A made-up fleet whose status is a deterministic function of time: what previews, snapshot tests and
/// ``PreviewLink`` show before (or without) a daemon.
public struct SyntheticFleet: Sendable {
    /// The fleet: how many workers, the budget and the server name it reports.
    public var workerCount: Int
    public var limit: Int64
    public var threshold: Double
    public var windowMs: Int64
    public var server: String
    /// Workers an operator paused (contract v2): their waiters are passed over.
    public var pausedWorkers: Set<String> = []
    /// Workers' caps, as fractions of each limit.
    public var caps: [String: Double] = [:]

    public init(
        workerCount: Int = 8, limit: Int64 = 1_800_000, threshold: Double = 0.9, windowMs: Int64 = 60_000,
        server: String = "tokengate/0.1.0"
    ) {
        self.workerCount = max(0, workerCount)
        self.limit = limit
        self.threshold = threshold
        self.windowMs = windowMs
        self.server = server
    }

    static let roles = ["crawler", "eval", "agent", "summarizer", "indexer", "batch"]

    /// The name of worker `index`: `crawler-01`, `eval-02`, ...
    public static func workerName(_ index: Int) -> String {
        let number = index + 1
        return roles[index % roles.count] + "-" + (number < 10 ? "0\(number)" : "\(number)")
    }

    /// Window usage at `time` as a fraction of the limit: a slow swell with some ripple, between about
    /// 35 % and 95 %.
    public func load(at time: Double) -> Double {
        let swell = 0.62 + 0.22 * sine(time / 47) + 0.08 * sine(time / 11 + 1.3)
        let ripple = 0.04 * (noise(Int64((time * 2).rounded(.down)), salt: 7) - 0.5)
        return min(0.98, max(0.05, swell + ripple))
    }

    /// The fleet's status at `time` (seconds since the daemon started).
    public func status(
        at time: Double, state: GateState = .running, cooldownRemainingMs: Int64? = nil,
        cooldownWorker: String? = nil, connectedWorkers: Int? = nil
    ) -> Status {
        let used = Int64(Double(limit) * load(at: time))
        let reserved = state == .running ? Int64(Double(limit) * 0.05 * (0.5 + noise(Int64(time), salt: 3))) : 0
        let connectedCount = min(workerCount, connectedWorkers ?? workerCount)
        let weights = (0..<workerCount).map { 1.0 / Double($0 + 2) + 0.02 * noise(Int64($0), salt: 11) }
        let total = weights.reduce(0, +)
        var workers: [WorkerStatus] = []
        var inFlight = 0
        var waiting = 0
        for index in 0..<workerCount {
            let share = total > 0 ? weights[index] / total : 0
            let seed = Int64(index) * 7919 + Int64(time)
            let connected = index < connectedCount
            let flight = connected && state == .running ? Int(noise(seed, salt: 5) * 3) : 0
            let wait = connected && (state != .running || load(at: time) > 0.85) ? Int(noise(seed, salt: 9) * 3) : 0
            inFlight += flight
            waiting += wait
            let name = SyntheticFleet.workerName(index)
            // Grants out for up to 40 s; every tenth worker's has been out for minutes.
            let oldest = flight == 0 ? nil : Int64(noise(seed, salt: 21) * 40_000) + (index % 10 == 2 ? 150_000 : 0)
            let tickets = (0..<flight).map { number in
                TicketStatus(
                    ticket: "t\(index)-\(Int64(time) - Int64(number))", ageMs: max(0, (oldest ?? 0) - Int64(number) * 3_100),
                    reserved: 4_000 + Int64(noise(seed + Int64(number), salt: 25) * 20_000), pool: "default")
            }
            let waiters = (0..<wait).map { number in
                WaiterStatus(
                    priority: SyntheticFleet.priority(of: index, number: number),
                    estimate: 6_000 + Int64(noise(seed + Int64(number), salt: 27) * 30_000),
                    waitedMs: Int64(noise(seed + Int64(number), salt: 29) * 9_000), pool: "default")
            }
            workers.append(
                WorkerStatus(
                    worker: name, used: Int64(Double(used) * share),
                    requests: Int64(Double(used) * share / 4_200) + 1, inFlight: flight, waiting: wait,
                    lastSeenMsAgo: connected ? Int64(noise(seed, salt: 13) * 4_000) : 95_000, connected: connected,
                    oldestGrantMs: oldest, paused: pausedWorkers.contains(name), cap: caps[name], tickets: tickets,
                    waiters: waiters))
        }
        var queue: QueueStatus?
        var mix = PriorityCounts()
        for waiter in workers.flatMap({ $0.waiters ?? [] }) { mix[waiter.priority] += 1 }
        if waiting > 0, let head = workers.first(where: { $0.waiting > 0 && !pausedWorkers.contains($0.worker) }) {
            queue = QueueStatus(
                worker: head.worker, estimate: 12_000 + Int64(noise(Int64(time), salt: 17) * 60_000),
                admissibleInMs: state == .running ? 1_000 + Int64(noise(Int64(time), salt: 19) * 4_000) : nil,
                oversized: false, priority: head.waiters?.first?.priority)
        }
        var status = Status(
            state: state, windowMs: windowMs, limit: limit, threshold: threshold, used: used, reserved: reserved,
            inFlight: inFlight, waiting: waiting, cooldownRemainingMs: state == .cooldown ? (cooldownRemainingMs ?? 30_000) : nil,
            budgets: [BudgetStatus(name: "tokens", limit: limit, used: used, reserved: reserved)], workers: workers,
            uptimeMs: Int64(time * 1000), server: server, queue: queue,
            cooldownWorker: state == .cooldown ? cooldownWorker : nil, algorithm: "sliding-window", sendMarginMs: 1_000,
            rates: rates(used: used, workers: workers, waiting: waiting, throttled: state == .cooldown, at: time))
        status.queueByPriority = mix
        status.reserveHigh = 0
        status.priorityAgingMs = windowMs
        return status
    }

    /// The priority of waiter `number` of worker `index`: agents ask high, batch and crawlers low.
    static func priority(of index: Int, number: Int) -> Priority {
        switch roles[index % roles.count] {
        case "agent": .high
        case "batch", "crawler": number % 3 == 2 ? .normal : .low
        default: .normal
        }
    }

    /// A made-up pool beside `default` (contract v2): its name, globs, limit and share of the
    /// workers that use it.
    public struct ExtraPool: Sendable {
        public var name: String
        public var models: [String]
        public var limit: Int64
        public var threshold: Double
        public var state: GateState
        public var cooldownRemainingMs: Int64?

        public init(
            name: String, models: [String], limit: Int64, threshold: Double = 0.9, state: GateState = .running,
            cooldownRemainingMs: Int64? = nil
        ) {
            self.name = name
            self.models = models
            self.limit = limit
            self.threshold = threshold
            self.state = state
            self.cooldownRemainingMs = cooldownRemainingMs
        }
    }

    /// `status` (from ``status(at:state:cooldownRemainingMs:cooldownWorker:connectedWorkers:)``,
    /// which becomes the pool `default`) with `extra` pools beside it: each pool's usage follows its own
    /// swell, worker `i` uses pool `k` (counted from 1) when `i % (k + 1) == 0`, and `pool_used`
    /// splits each worker's figures, which then add up over the pools.
    public func withPools(_ status: Status, extra: [ExtraPool], at time: Double) -> Status {
        var status = status
        var pools = [PoolStatus(
            name: "default", models: [], state: status.state, limit: status.limit, threshold: status.threshold,
            used: status.used, reserved: status.reserved, inFlight: status.inFlight, waiting: status.waiting,
            cooldownRemainingMs: status.cooldownRemainingMs, budgets: status.budgets, queueByPriority: status.queueByPriority)]
        for index in status.workers.indices {
            status.workers[index].poolUsed = ["default": status.workers[index].used]
        }
        for (number, pool) in extra.enumerated() {
            let k = number + 1
            let used = Int64(Double(pool.limit) * load(at: time + Double(37 * k)) * (pool.state == .paused ? 0.6 : 1))
            let reserved = pool.state == .running ? pool.limit / 40 : 0
            let users = status.workers.indices.filter { $0 % (k + 1) == 0 }
            let weights = users.map { 1.0 / Double($0 + k + 1) }
            let total = weights.reduce(0, +)
            for (position, index) in users.enumerated() {
                let share = Int64(Double(used) * weights[position] / max(total, 1e-9))
                status.workers[index].poolUsed?[pool.name] = share
                status.workers[index].used += share
            }
            let waiting = pool.state == .running ? 0 : users.count / 2
            pools.append(PoolStatus(
                name: pool.name, models: pool.models, state: pool.state, limit: pool.limit, threshold: pool.threshold,
                used: used, reserved: reserved, inFlight: pool.state == .running ? 2 : 0, waiting: waiting,
                cooldownRemainingMs: pool.state == .cooldown ? (pool.cooldownRemainingMs ?? 20_000) : nil,
                budgets: [BudgetStatus(name: "tokens", limit: pool.limit, used: used, reserved: reserved)],
                queueByPriority: PriorityCounts(normal: waiting)))
        }
        status.pools = pools
        return status
    }

    /// Rates that go with the window's usage: the window's tokens per minute, its requests per
    /// second, a p99 wait that grows while acquires queue, and one 429 while cooling down.
    func rates(used: Int64, workers: [WorkerStatus], waiting: Int, throttled: Bool, at time: Double) -> RatesStatus {
        let windowSeconds = Double(max(1, windowMs)) / 1000
        let requests = workers.reduce(Int64(0)) { $0 + $1.requests }
        let wait = waiting > 0 ? 400 + Int64(noise(Int64(time), salt: 23) * 2_600) : Int64(noise(Int64(time), salt: 23) * 40)
        return RatesStatus(
            tokensPerMin: Int64(Double(used) * 60 / windowSeconds),
            grantsPerS: (Double(requests) / windowSeconds * 100).rounded() / 100,
            waitP99Ms: requests > 0 ? wait : nil, throttlesInWindow: throttled ? 1 : 0)
    }

    /// A deterministic value in 0..<1 for `value` and `salt` (SplitMix64).
    func noise(_ value: Int64, salt: UInt64) -> Double {
        var z = UInt64(bitPattern: value) &+ salt &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Double(z >> 11) / Double(UInt64(1) << 53)
    }

    /// A sine from a short series, to stay free of Foundation and platform maths.
    func sine(_ x: Double) -> Double {
        let twoPi = 6.283_185_307_179_586
        var t = x.truncatingRemainder(dividingBy: twoPi)
        if t > twoPi / 2 { t -= twoPi }
        if t < -twoPi / 2 { t += twoPi }
        var term = t
        var sum = t
        for n in 1...9 {
            term *= -t * t / Double((2 * n) * (2 * n + 1))
            sum += term
        }
        return sum
    }
}
