#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// How the token count of a request part (input or output) is drawn.
public enum SizeDistribution: Hashable, Sendable {
    /// Log-normal with the given median; `sigma` is the standard deviation of its logarithm.
    case logNormal(median: Double, sigma: Double)
    /// Pareto (heavy-tailed) with the given minimum and tail index `alpha`.
    case pareto(minimum: Double, alpha: Double)

    /// The median: what a client that knows nothing about one request would call typical.
    public var median: Double {
        switch self {
        case .logNormal(let median, _): median
        case .pareto(let minimum, let alpha): minimum * pow(2, 1 / alpha)
        }
    }

    /// One draw, rounded to whole tokens, at least 1 and at most `cap`.
    func sample(using generator: inout Xoshiro256StarStar, cap: Int64) -> Int64 {
        let value: Double
        switch self {
        case .logNormal(let median, let sigma): value = generator.logNormal(median: median, sigma: sigma)
        case .pareto(let minimum, let alpha): value = generator.pareto(minimum: minimum, alpha: alpha)
        }
        guard value.isFinite, value < Double(cap) else { return max(1, cap) }
        return max(1, Int64(value.rounded()))
    }
}
