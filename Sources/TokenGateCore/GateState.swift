/// A gate's state, named as the contract names it: granting, paused by an operator, or cooling
/// down after a provider's 429.
public enum GateState: String, Codable, Hashable, Sendable {
    case running, paused, cooldown
}
