/// The key bar's place while a limit change waits for confirmation:
/// ` limit 150.0k → 165.0k (+10 %)  Enter apply  Esc cancel  +/- step 15.0k`, with the pool's
/// name after `limit` when the daemon has several (` limit opus 90.0k → 99.0k ...`).
public struct LimitConfirmLine: Sendable {
    public var proposal: LimitProposal

    public init(proposal: LimitProposal) {
        self.proposal = proposal
    }

    /// The change in percent of the limit when the line opened: `+10 %`, `-20 %`, `±0 %`.
    var change: String {
        let percent = Int((Double(proposal.proposed - proposal.current) / Double(max(1, proposal.current)) * 100).rounded())
        if percent == 0 { return "±0 %" }
        return (percent > 0 ? "+" : "") + "\(percent) %"
    }

    /// Draws the line on the first row of `rect`.
    public func draw(into canvas: inout Canvas, _ rect: Rect, glyphs: Glyphs) {
        guard rect.height > 0 else { return }
        let key = CellStyle(.accent, bold: true, reverse: true)
        let arrow = glyphs.isUnicode ? " → " : " -> "
        let spans = [
            TextSpan(" limit ", CellStyle(.warn, bold: true)),
            TextSpan(proposal.pool.map { $0 + " " } ?? "", CellStyle(bold: true)),
            TextSpan(Format.tokens(proposal.current)),
            TextSpan(arrow, .muted),
            TextSpan(Format.tokens(proposal.proposed), CellStyle(.warn, bold: true)),
            TextSpan(" (\(change))  ", .muted),
            TextSpan("Enter", key), TextSpan(" apply  "),
            TextSpan("Esc", key), TextSpan(" cancel  "),
            TextSpan("+-", key), TextSpan(" step \(Format.tokens(proposal.step))"),
        ]
        canvas.write(spans, x: rect.x, y: rect.y, maxX: rect.maxX)
    }
}
