import Testing
import TokenGateCore
@testable import TokenGateSimulation

@Suite("Seeded random numbers")
struct RandomTests {
    @Test("SplitMix64 gives the reference sequence")
    func splitMixReference() {
        var generator = SplitMix64(seed: 0)
        #expect(generator.next() == 0xE220_A839_7B1D_CDAF)
        #expect(generator.next() == 0x6E78_9E6A_A1B9_65F4)
        #expect(generator.next() == 0x06C4_5D18_8009_454F)
    }

    @Test("xoshiro256** seeded by SplitMix64 gives the same numbers for the same seed")
    func xoshiroSequence() {
        var generator = Xoshiro256StarStar(seed: 42)
        #expect(generator.next() == 0x1578_0B2E_0C2E_C716)
        #expect(generator.next() == 0x6104_D986_6D11_3A7E)
        #expect(generator.next() == 0xAE17_5332_39E4_99A1)
        var other = Xoshiro256StarStar(seed: 43)
        #expect(other.next() != 0x1578_0B2E_0C2E_C716)
    }

    @Test("derived streams depend on every label")
    func derivedStreams() {
        let base = SplitMix64.derive(1, labels: [1, 8, 0])
        #expect(base == SplitMix64.derive(1, labels: [1, 8, 0]))
        #expect(base != SplitMix64.derive(2, labels: [1, 8, 0]))
        #expect(base != SplitMix64.derive(1, labels: [2, 8, 0]))
        #expect(base != SplitMix64.derive(1, labels: [1, 64, 0]))
        #expect(base != SplitMix64.derive(1, labels: [1, 8, 1]))
    }

    @Test("variates stay in range and have about the right centre")
    func variates() {
        var generator = Xoshiro256StarStar(seed: 7)
        var belowMedian = 0
        var exponentialSum = 0.0
        for _ in 0..<10_000 {
            let u = generator.uniform()
            #expect(u >= 0 && u < 1)
            if generator.logNormal(median: 100, sigma: 1) < 100 { belowMedian += 1 }
            exponentialSum += generator.exponential(mean: 2)
            #expect(generator.pareto(minimum: 10, alpha: 1.5) >= 10)
        }
        #expect((4_800...5_200).contains(belowMedian))
        #expect(abs(exponentialSum / 10_000 - 2) < 0.1)
    }
}
