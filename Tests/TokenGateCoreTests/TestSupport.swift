@testable import TokenGateCore

/// An instant `seconds` after the origin of virtual time.
func at(_ seconds: Double) -> Instant { .seconds(seconds) }

/// A gate with a `limit`-token window of `window` seconds at `threshold`. The send margin is 0
/// and provider readings are taken to the token unless a test says otherwise.
func makeGate(
    limit: Int64 = 1000, window: Double = 10, threshold: Double = 0.9, inputLimit: Int64? = nil,
    outputLimit: Int64? = nil, requestsLimit: Int64? = nil, policy: AdmissionPolicy = .reserving,
    lease: Double = 600, sendMargin: Double = 0, algorithm: AccountingAlgorithm = .slidingWindow,
    providerRounding: Int64 = 0, highReserve: Double = 0, priorityAging: Double? = nil
) -> Gate {
    do {
        var configuration = try GateConfiguration(
            tokenLimit: limit, window: .seconds(window), threshold: threshold, inputLimit: inputLimit,
            outputLimit: outputLimit, requestsLimit: requestsLimit, lease: .seconds(lease), policy: policy,
            sendMargin: .seconds(sendMargin), algorithm: algorithm, highReserve: highReserve,
            priorityAging: priorityAging.map { .seconds($0) }
        )
        configuration.providerRounding = providerRounding
        return Gate(configuration: configuration)
    } catch {
        fatalError("test configuration is invalid: \(error)")
    }
}

func usage(_ input: Int64, _ output: Int64 = 0, cacheCreation: Int64 = 0, cacheRead: Int64 = 0) -> Usage {
    do { return try Usage(input: input, output: output, cacheCreation: cacheCreation, cacheRead: cacheRead) } catch {
        fatalError("test usage is invalid: \(error)")
    }
}

func estimate(_ tokens: Int64? = nil, input: Int64? = nil, output: Int64? = nil) -> Estimate {
    do { return try Estimate(tokens: tokens, input: input, output: output) } catch {
        fatalError("test estimate is invalid: \(error)")
    }
}

extension AcquireDecision {
    var grant: Grant? {
        if case .granted(let grant) = self { return grant }
        return nil
    }

    var waiter: WaiterID? {
        switch self {
        case .queued(let id), .timedOut(let id): id
        case .granted: nil
        }
    }
}

extension WaiterOutcome {
    var grant: Grant? {
        if case .granted(let grant) = self { return grant }
        return nil
    }
}
