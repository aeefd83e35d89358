import ArgumentParser
import TokenGateDashboard

/// The dashboard's look: `--ascii` and `--no-color` override what the terminal says it can do.
struct DashboardFlags: ParsableArguments {
    @Flag(help: "Draw with ASCII only (the default follows the locale: UTF-8 gets block glyphs).")
    var ascii = false

    @Flag(name: .customLong("no-color"), help: "Draw without colours (labels, bold and reverse still mark states).")
    var noColor = false

    var options: DashboardOptions {
        DashboardOptions(glyphs: ascii ? .ascii : .auto, color: noColor ? .never : .auto)
    }
}
