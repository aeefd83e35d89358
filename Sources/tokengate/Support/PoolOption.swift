import ArgumentParser

/// `--pool NAME` (contract v2), shared by the commands that act on one pool.
struct PoolOption: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The pool to act on (see `tokengate status`).",
            discussion: "pause and resume without it act on every pool; the other commands on the pool default.",
            valueName: "name"
        )
    )
    var pool: String?
}
