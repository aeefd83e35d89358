import ArgumentParser
import TokenGateCore

/// `serve --algorithm sliding-window|token-bucket`.
extension AccountingAlgorithm: ExpressibleByArgument {
    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}
