import TokenGateClient
import TokenGateCore

/// One synthetic LLM worker of the demo: it acquires with an estimate, streams for a while, and
/// reports what the request "really" cost; now and then the provider "answers 429" and the worker
/// tells the daemon (`throttled`) instead. Sizes are heavy-tailed (log-normal), like real traffic.
struct SyntheticWorker: Sendable {
    let name: String
    let socketPath: String
    let seed: UInt64
    /// Scales request sizes so that the fleet pushes against the demo's limit.
    let meanTokens: Double

    /// Runs until the task is cancelled.
    func run() async {
        var random = SplitMix64(seed: seed)
        let client = TokenGateClient(socketPath: socketPath, worker: name)
        defer { Task { await client.close() } }
        while !Task.isCancelled {
            let input = Int64(random.logNormal(median: meanTokens * 0.7, sigma: 0.9).rounded())
            let expectedOutput = Int64(meanTokens * 0.3)
            do {
                let grant = try await client.acquire(tokens: input + expectedOutput)
                let streamSeconds = min(12, random.logNormal(median: 1.5, sigma: 0.7))
                try await Task.sleep(for: .milliseconds(Int64(streamSeconds * 1000)))
                if Double.random(in: 0..<1, using: &random) < 0.004 {
                    let retryAfterMs = Int64.random(in: 2000...6000, using: &random)
                    _ = try await client.throttled(retryAfterMs: retryAfterMs)
                    try await client.release(grant)
                } else {
                    let output = Int64(random.logNormal(median: Double(expectedOutput), sigma: 0.6).rounded())
                    let cacheRead = Double.random(in: 0..<1, using: &random) < 0.3 ? input / 2 : 0
                    _ = try await client.report(grant, input: input, output: output, cacheRead: cacheRead, model: "demo")
                }
                try await Task.sleep(for: .milliseconds(Int64.random(in: 50...600, using: &random)))
            } catch is CancellationError {
                return
            } catch {
                // The daemon went away or refused: the client reconnects; try again shortly.
                try? await Task.sleep(for: .milliseconds(500))
            }
        }
    }
}
