import ArgumentParser

extension TokenGateCommand {
    /// Every subcommand, in the order `--help` lists them.
    static let allSubcommands: [any ParsableCommand.Type] = [
        ServeCommand.self,
    ]
}
