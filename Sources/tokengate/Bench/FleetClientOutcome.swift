import TokenGateSimulation

/// What one connection of `bench fleet` did: its host, its grants, the tokens the provider accepted
/// from it, and each acquire's sending and answer on the bench's one clock.
struct FleetClientOutcome: Sendable {
    let host: Int
    var grants = 0
    var served: Int64 = 0
    var acquires: [ArrivalOrder.Acquire] = []

    init(host: Int) { self.host = host }
}
