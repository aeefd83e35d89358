import Testing
@testable import TokenGateCore

/// A case the property test found on 2026-12-01 (clean-clone CI, random seed
/// `m9Cmfdm9csIyl9g9cTQzlCHaw5ZueGqlEXQh6X1MJ9w=`): used + reserved reached 902 of 901. The gate
/// was right; the test was not. A withdrawal first brought the gate to its instant, which granted
/// a waiter of the withdrawn owner, and then released that fresh ticket; the test dropped the
/// released tickets before taking the grant in, so it went on holding a ticket the gate no longer
/// knew, and its later "settle" was a ticketless report of 313 tokens, which counts whatever the
/// window holds (the provider charged it without asking). Kept as a fixed regression case of the
/// property test, which now takes a withdrawal's earlier grants in first and expects every settle
/// and release of a held ticket to find it.
@Suite("Gate: overfill regression")
struct OverfillRegressionTests {
    @Test("a withdrawal that releases the ticket it has just granted: no overfill, no settle of a ticket the gate no longer holds")
    func withdrawalReleasesItsOwnGrant() {
        let input: [(Int, Int, Int)] = [
            (0, 164, 0), (0, 262, 3), (0, 229, 0), (0, 246, 0), (11, 63, 0), (11, 305, 2), (0, 312, 1), (0, 0, 7),
            (0, 343, 5), (0, 0, 5), (0, 0, 3), (10, 202, 7), (0, 0, 4), (4, 0, 5), (11, 301, 7), (0, 0, 3),
            (0, 0, 1), (0, 0, 7), (0, 0, 3), (0, 0, 4), (0, 313, 3), (0, 256, 5), (0, 0, 2), (0, 0, 4), (7, 0, 7),
            (7, 0, 6), (0, 311, 3), (0, 22, 1), (4, 0, 5), (4, 0, 1),
        ]
        GatePropertyTests.check(input.map { GatePropertyTests.Step(op: $0.0, amount: $0.1, pick: $0.2) })
    }
}
