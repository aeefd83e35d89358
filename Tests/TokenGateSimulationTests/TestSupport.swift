import TokenGateCore
@testable import TokenGateSimulation

/// An instant `seconds` after the origin of virtual time.
func at(_ seconds: Double) -> Instant { .seconds(seconds) }

/// The instant one nanosecond before `instant`.
func justBefore(_ instant: Instant) -> Instant { instant - TimeSpan(nanoseconds: 1) }

extension ProviderDecision {
    var isAccepted: Bool { self == .accepted }

    var fitsAt: Instant? {
        if case .refused(let fitsAt, _) = self { return fitsAt }
        return nil
    }

    var retryAfter: TimeSpan? {
        if case .refused(_, let retryAfter) = self { return retryAfter }
        return nil
    }
}

/// Settings for small, fast runs.
func smallSettings(seed: UInt64 = 1, requests: Int = 3) -> SimulationSettings {
    SimulationSettings(seed: seed, requestsPerWorker: requests)
}
