import ArgumentParser

/// `tokengate pause`: stop new grants for the whole fleet.
struct PauseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pause",
        abstract: "Stop granting: workers wait until `tokengate resume`.",
        discussion: """
            While paused, the daemon grants nothing; acquires queue up and keep their place, and \
            requests already granted finish and report as usual. Only the daemon's own user and root \
            may pause (others get `forbidden`, exit 1). Prints the new state.

            With --worker NAME, only that worker is paused, in every pool: its acquires keep their \
            place but are passed over, others go; its requests in flight finish. The pause survives \
            a daemon restart; `tokengate resume --worker NAME` lifts it.

            Exit codes: 0 success, 1 error (forbidden), 2 usage error, 3 daemon not reachable.

            Examples:
              tokengate pause
              tokengate pause && run-migration && tokengate resume
              tokengate pause --worker crawler-7
            """
    )

    @OptionGroup var target: DispatchSwitchOptions

    func run() async throws {
        try await target.switchDispatch(pausing: true)
    }
}
