import TokenGateCore

/// Why a simulation could not produce a result.
public enum SimulationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The settings give an invalid gate configuration.
    case configuration(ConfigurationError)
    /// A drawn request has a count the gate refuses.
    case count(CountError)
    /// A request is larger than the provider's limit: it could never be served.
    case requestNeverFits(tokens: Int64, limit: Int64)
    /// The event queue ran dry with workers still holding requests: something waits forever.
    case stalled(unfinishedWorkers: Int, at: Instant)
    /// More events than `SimulationSettings.maximumEvents`.
    case tooManyEvents(Int)
    /// The gate answered something this simulation never asks for (a bug).
    case unexpected(String)

    /// One line for a person.
    public var description: String {
        switch self {
        case .configuration(let error): "invalid configuration: \(error)"
        case .count(let error): "invalid request: \(error)"
        case .requestNeverFits(let tokens, let limit): "a request of \(tokens) tokens can never fit a limit of \(limit)"
        case .stalled(let unfinished, let at): "\(unfinished) workers still wait with nothing left to happen (\(at))"
        case .tooManyEvents(let count): "stopped after \(count) events"
        case .unexpected(let what): "unexpected: \(what)"
        }
    }
}
