import ArgumentParser

/// `tokengate bench`: the project's benchmarks.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure tokengate: the limiter in simulated time, or the real daemon.",
        subcommands: [
            BenchSimCommand.self, BenchFleetCommand.self,
            BenchSocketCommand.self, BenchSocketClientCommand.self, BenchGatewayCommand.self,
            BenchClusterCommand.self,
        ]
    )
}
