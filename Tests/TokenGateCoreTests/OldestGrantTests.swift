import Testing
@testable import TokenGateCore

/// A worker's oldest ticket in flight, as the snapshot reports it (in virtual time).
@Suite("Snapshot: oldest grant per worker")
struct OldestGrantTests {
    private func oldest(_ gate: Gate, _ worker: String, at seconds: Double) -> TimeSpan?? {
        gate.snapshot(now: at(seconds)).workers.first { $0.worker == worker }.map(\.oldestGrant)
    }

    @Test("the age of the oldest ticket still out; nil once none is")
    func oldestTicket() throws {
        var gate = makeGate(limit: 100_000)
        let first = try #require(gate.acquire(worker: "a", estimate: estimate(10), now: at(0)).grant)
        let second = try #require(gate.acquire(worker: "a", estimate: estimate(10), now: at(5)).grant)
        _ = try #require(gate.acquire(worker: "b", estimate: estimate(10), now: at(7)).grant)
        #expect(oldest(gate, "a", at: 8) == .some(.seconds(8)))
        #expect(oldest(gate, "b", at: 8) == .some(.seconds(1)))

        _ = gate.settle(ticket: first.ticket, usage: usage(10), now: at(8))
        #expect(oldest(gate, "a", at: 9) == .some(.seconds(4)))
        _ = gate.release(ticket: second.ticket, now: at(9))
        #expect(oldest(gate, "a", at: 9) == .some(nil))
    }
}
