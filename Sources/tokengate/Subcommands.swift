import ArgumentParser

extension TokenGateCommand {
    /// Every subcommand, in the order `--help` lists them.
    static let allSubcommands: [any ParsableCommand.Type] = [
        ServeCommand.self,
        TopCommand.self,
        DemoCommand.self,
        StatusCommand.self,
        PauseCommand.self,
        ResumeCommand.self,
        LimitCommand.self,
        AcquireCommand.self,
        ReportCommand.self,
        HistoryCommand.self,
        BenchCommand.self,
    ]
}
