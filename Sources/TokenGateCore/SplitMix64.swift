/// SplitMix64 (Steele, Lea and Flood, 2014): a tiny 64-bit generator, the project's one seeded
/// random source. The simulation uses it to seed `Xoshiro256StarStar` and to derive independent
/// streams from one `--seed`, the demo for synthetic traffic; never the system's random source, so a
/// seed always gives the same numbers.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    /// The generator's whole state: the next output is a function of it alone.
    public private(set) var state: UInt64

    /// A generator starting from `seed`.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }

    /// A seed for an independent stream identified by `labels` under `seed`: the same labels under
    /// the same seed always give the same stream, and changing any label gives an unrelated one.
    public static func derive(_ seed: UInt64, labels: [UInt64]) -> UInt64 {
        var generator = SplitMix64(seed: seed)
        var mixed = generator.next()
        for label in labels {
            var step = SplitMix64(seed: mixed ^ label)
            mixed = step.next()
        }
        return mixed
    }
}
