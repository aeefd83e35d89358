import Testing
import TokenGateCore
import TokenGateSimulation

@Suite("Fleet figures: arrival order, busiest window, spread")
struct FleetFiguresTests {
    private func acquire(_ sentMs: Int64, _ answeredMs: Int64, granted: Bool = true) -> ArrivalOrder.Acquire {
        ArrivalOrder.Acquire(sent: .milliseconds(sentMs), answered: .milliseconds(answeredMs), granted: granted)
    }

    @Test("grants in arrival order overtake nothing, whatever order the list is in")
    func inOrder() {
        let acquires = [acquire(20, 60), acquire(0, 40), acquire(10, 50), acquire(30, 70)]
        #expect(ArrivalOrder.overtakingGrants(acquires) == 0)
        #expect(ArrivalOrder.overtakenShare(acquires) == 0)
    }

    @Test("a grant answered before an earlier arrival overtakes it; within 2 ms either way it does not")
    func slack() {
        #expect(ArrivalOrder.overtakingGrants([acquire(0, 100), acquire(10, 50)]) == 1)
        #expect(ArrivalOrder.overtakingGrants([acquire(0, 100), acquire(2, 50)]) == 0)
        #expect(ArrivalOrder.overtakingGrants([acquire(0, 52), acquire(10, 50)]) == 0)
        #expect(ArrivalOrder.overtakenShare([acquire(0, 100), acquire(10, 50), acquire(20, 120)]) == 1.0 / 3)
    }

    @Test("a timed-out acquire can be overtaken but overtakes nothing and is not a grant")
    func timedOut() {
        let acquires = [acquire(0, 100, granted: false), acquire(10, 50), acquire(20, 10_000, granted: false)]
        #expect(ArrivalOrder.overtakingGrants(acquires) == 1)
        #expect(ArrivalOrder.overtakenShare(acquires) == 1)
    }

    @Test("agrees with comparing every pair on random runs")
    func agreesWithPairs() {
        var random = SystemRandomNumberGenerator()
        for _ in 0..<50 {
            let acquires = (0..<60).map { _ in
                let sent = Int64.random(in: 0...500, using: &random)
                return acquire(sent, sent + Int64.random(in: 0...200, using: &random), granted: Bool.random(using: &random))
            }
            let pairs = acquires.filter { b in
                b.granted && acquires.contains { a in
                    a.sent + .milliseconds(2) < b.sent && a.answered > b.answered + .milliseconds(2)
                }
            }.count
            #expect(ArrivalOrder.overtakingGrants(acquires) == pairs)
        }
    }

    @Test("the busiest window counts charges within one window length, not one at its end")
    func busiestWindow() {
        let charges: [(at: TimeSpan, tokens: Int64)] = [
            (.seconds(3), 500), (.seconds(0), 400), (.seconds(2.9), 300), (.seconds(5.95), 250),
        ]
        #expect(BusiestWindow.mostTokens(charges, window: .seconds(3)) == 800)
        #expect(BusiestWindow.mostTokens(charges, window: .seconds(3.01)) == 1200)
        #expect(BusiestWindow.mostTokens([], window: .seconds(3)) == 0)
    }

    @Test("spread: each value over the mean, and the largest deviation from it")
    func spread() {
        #expect(RelativeSpread.shares([1, 3]) == [0.5, 1.5])
        #expect(abs(RelativeSpread.maxDeviation([90, 100, 110]) - 0.1) < 1e-12)
        #expect(RelativeSpread.maxDeviation([5, 5]) == 0)
        #expect(RelativeSpread.maxDeviation([]) == 0)
        #expect(RelativeSpread.shares([0, 0]) == [0, 0])
    }
}
