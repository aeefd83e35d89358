import ArgumentParser
import TokenGateCore

extension MetricsEndpoint {
    /// Parses a `--metrics` value, or fails with a usage error that says what is wrong.
    static func argument(_ text: String) throws -> MetricsEndpoint {
        do {
            return try MetricsEndpoint(parsing: text)
        } catch {
            throw ValidationError(error.description)
        }
    }
}
