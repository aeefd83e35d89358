import ArgumentParser

/// The `tokengate` executable: one daemon per machine that keeps a fleet of LLM workers under one
/// token rate limit, and the commands that talk to it.
@main
struct TokenGateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokengate",
        abstract: "Keep a fleet of LLM workers under one token rate limit, and watch it live.",
        discussion: """
            A daemon (`tokengate serve`) holds a sliding-window limiter; workers ask it over a Unix \
            socket before each request and report what the request really cost. `tokengate top` \
            shows the window filling up; `tokengate demo` runs a daemon with synthetic workers and \
            opens the dashboard on it.
            """,
        version: TokenGateVersion.string,
        subcommands: TokenGateCommand.allSubcommands
    )
}

/// The version printed by `--version` and sent as `server: tokengate/<version>`.
enum TokenGateVersion {
    static let string = "0.1.0"
}
