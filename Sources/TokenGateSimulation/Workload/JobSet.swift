import TokenGateCore

/// Every request of one run, per worker: drawn once from the seed and shared by every policy and
/// provider model, so they all face exactly the same traffic.
public struct JobSet: Sendable {
    /// The workload the requests were drawn from.
    public let workload: Workload
    /// The requests of each worker, in the order it sends them.
    public let requestsByWorker: [[SimulatedRequest]]

    /// Draws `requestsPerWorker` x the workload's scale requests for each of `workerCount` workers.
    /// Worker `w` draws from its own stream derived from (seed, workload, worker count, w). Each
    /// part of a request is capped at an eighth of `limit`, so a request never exceeds a quarter of
    /// it (with the default limit the cap is far beyond every draw).
    public init(
        workload: Workload, workerCount: Int, requestsPerWorker: Int, seed: UInt64, limit: Int64,
        serviceTime: ServiceTime = .typical
    ) throws(CountError) {
        let shape = workload.shape
        let partCap = max(1, limit / 8)
        let outputCap = min(shape.outputCap, partCap)
        let typicalOutput = min(outputCap, max(1, Int64(shape.output.median.rounded())))
        let count = max(0, requestsPerWorker) * shape.requestsScale
        var all: [[SimulatedRequest]] = []
        all.reserveCapacity(workerCount)
        for worker in 0..<max(0, workerCount) {
            var random = Xoshiro256StarStar(
                seed: SplitMix64.derive(seed, labels: [shape.streamTag, UInt64(workerCount), UInt64(worker)])
            )
            var requests: [SimulatedRequest] = []
            requests.reserveCapacity(count)
            for index in 0..<count {
                let delay: Double = index == 0
                    ? shape.startSpread * random.uniform()
                    : random.exponential(mean: shape.meanThink)
                let input = shape.input.sample(using: &random, cap: partCap)
                let output = shape.output.sample(using: &random, cap: outputCap)
                requests.append(try SimulatedRequest(
                    input: input, output: output, typicalOutput: typicalOutput, delayBefore: .seconds(delay),
                    duration: serviceTime.duration(input: input, output: output)
                ))
            }
            all.append(requests)
        }
        self.workload = workload
        self.requestsByWorker = all
    }

    /// The number of workers.
    public var workerCount: Int { requestsByWorker.count }

    /// The number of requests of all workers.
    public var requestCount: Int { requestsByWorker.reduce(0) { $0 + $1.count } }

    /// The real tokens of all requests.
    public var totalTokens: Int64 { requestsByWorker.joined().reduce(0) { $0 + $1.tokens } }

    /// The longest request.
    public var longestDuration: TimeSpan { requestsByWorker.joined().map(\.duration).max() ?? .zero }

    /// The tokens per second the workers would send if nothing ever held them back: for each worker,
    /// its tokens over its busy time (request durations and think times, without its start offset).
    public var offeredTokensPerSecond: Double {
        requestsByWorker.reduce(0) { sum, requests in
            let tokens = requests.reduce(0) { $0 + Double($1.tokens) }
            let busy = requests.enumerated().reduce(0) { total, item in
                total + item.element.duration.seconds + (item.offset == 0 ? 0 : item.element.delayBefore.seconds)
            }
            return busy > 0 ? sum + tokens / busy : sum
        }
    }
}
