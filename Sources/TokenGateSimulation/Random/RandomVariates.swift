#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The distributions the workloads draw from, computed from the generator's bits by fixed formulas
/// (never the standard library's `random(in:using:)`, whose algorithm may change between releases).
extension Xoshiro256StarStar {
    /// Uniform in [0, 1), with 53 random bits.
    public mutating func uniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Uniform in (0, 1]: safe to take the logarithm of.
    public mutating func uniformExcludingZero() -> Double {
        1 - uniform()
    }

    /// Exponential with the given mean (0 gives 0).
    public mutating func exponential(mean: Double) -> Double {
        guard mean > 0 else { return 0 }
        return -mean * log(uniformExcludingZero())
    }

    /// Standard normal, by the Box-Muller transform (one value per call).
    public mutating func standardNormal() -> Double {
        let radius = (-2 * log(uniformExcludingZero())).squareRoot()
        return radius * cos(2 * Double.pi * uniform())
    }

    /// Log-normal with the given median and shape `sigma` (the standard deviation of its logarithm).
    public mutating func logNormal(median: Double, sigma: Double) -> Double {
        median * exp(sigma * standardNormal())
    }

    /// Pareto with the given minimum and tail index `alpha` (heavier tail as alpha falls).
    public mutating func pareto(minimum: Double, alpha: Double) -> Double {
        minimum / pow(uniformExcludingZero(), 1 / alpha)
    }
}
