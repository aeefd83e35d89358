import ArgumentParser

/// `tokengate resume`: grant again after `pause`.
struct ResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Grant again after `tokengate pause`.",
        discussion: """
            Waiting acquires are granted in order as capacity allows. Prints the new state: `running`, \
            or `cooldown` while a provider's 429 cooldown lasts. Only the daemon's own user and root may \
            resume (others get `forbidden`, exit 1).

            With --worker NAME, lifts that worker's own pause (`tokengate pause --worker NAME`): its \
            acquires go again in their place.

            Exit codes: 0 success, 1 error (forbidden), 2 usage error, 3 daemon not reachable.

            Examples:
              tokengate resume
              tokengate resume --worker crawler-7
            """
    )

    @OptionGroup var target: DispatchSwitchOptions

    func run() async throws {
        try await target.switchDispatch(pausing: false)
    }
}
