import Testing
@testable import TokenGateCore

/// A case the property test found on 2026-12-01 (clean-clone CI, random seed
/// `m9Cmfdm9csIyl9g9cTQzlCHaw5ZueGqlEXQh6X1MJ9w=`), kept as a fixed regression case: after a
/// limit raised to 1,002 (capacity 901), withdrawals and two settles, two queued grants at t=4.073 s
/// leave used + reserved at 902, one token over. It reproduces on the timeline as it was before
/// the priorities work, so it predates it. Recorded as a known issue until the timeline's
/// accounting of a settle and a slide-out at the same instant is fixed; the assertion itself is
/// the property test's, unchanged.
@Suite("Gate: overfill regression")
struct OverfillRegressionTests {
    @Test("a settle beside a slide-out never lets a grant overfill the tokens budget")
    func settleBesideSlideOut() {
        let input: [(Int, Int, Int)] = [
            (0, 164, 0), (0, 262, 3), (0, 229, 0), (0, 246, 0), (11, 63, 0), (11, 305, 2), (0, 312, 1), (0, 0, 7),
            (0, 343, 5), (0, 0, 5), (0, 0, 3), (10, 202, 7), (0, 0, 4), (4, 0, 5), (11, 301, 7), (0, 0, 3),
            (0, 0, 1), (0, 0, 7), (0, 0, 3), (0, 0, 4), (0, 313, 3), (0, 256, 5), (0, 0, 2), (0, 0, 4), (7, 0, 7),
            (7, 0, 6), (0, 311, 3), (0, 22, 1), (4, 0, 5), (4, 0, 1),
        ]
        withKnownIssue("one token over capacity after a settle beside a slide-out (found 2026-12-01, not yet fixed)") {
            GatePropertyTests.check(input.map { GatePropertyTests.Step(op: $0.0, amount: $0.1, pick: $0.2) })
        }
    }
}
