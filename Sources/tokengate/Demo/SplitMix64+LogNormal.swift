import TokenGateCore

/// Draws for synthetic traffic.
extension SplitMix64 {
    /// A log-normal draw with the given median and spread (sigma of the underlying normal).
    mutating func logNormal(median: Double, sigma: Double) -> Double {
        let u1 = Double.random(in: Double.ulpOfOne..<1, using: &self)
        let u2 = Double.random(in: 0..<1, using: &self)
        let normal = (-2 * _log(u1)).squareRoot() * _cos(2 * .pi * u2)
        return median * _exp(sigma * normal)
    }
}

import Foundation

private func _log(_ x: Double) -> Double { Foundation.log(x) }
private func _cos(_ x: Double) -> Double { Foundation.cos(x) }
private func _exp(_ x: Double) -> Double { Foundation.exp(x) }
