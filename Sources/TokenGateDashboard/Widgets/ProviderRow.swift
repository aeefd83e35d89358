import TokenGateWire

/// The row under the gauges that sets the provider's own figures beside the daemon's: for each
/// budget the provider reported on, what the provider says is left, what the local window believes
/// is left (limit - used - reserved), and how old the provider's reading is.
///
/// `provider tokens 310.0k left · local 590.0k left   input 12.0k left · local 20.0k left · 3s ago`
public struct ProviderRow: Sendable {
    /// One budget's pair of figures.
    public struct Entry: Sendable, Equatable {
        public var budget: String
        public var providerRemaining: Int64
        public var localRemaining: Int64
        public var observedMsAgo: Int64?

        public init(budget: String, providerRemaining: Int64, localRemaining: Int64, observedMsAgo: Int64?) {
            self.budget = budget
            self.providerRemaining = providerRemaining
            self.localRemaining = localRemaining
            self.observedMsAgo = observedMsAgo
        }
    }

    public var entries: [Entry]

    /// The entries for the budgets of `status` that carry a provider reading, in gauge order.
    public init(status: Status?, order: [String]) {
        let budgets = status?.budgets ?? []
        entries = order.compactMap { name in
            guard let budget = budgets.first(where: { $0.name == name }), let remaining = budget.providerRemaining else {
                return nil
            }
            return Entry(
                budget: name, providerRemaining: remaining,
                localRemaining: max(0, budget.limit - budget.used - budget.reserved),
                observedMsAgo: budget.providerObservedMsAgo)
        }
    }

    /// Whether there is anything to show.
    public var isEmpty: Bool { entries.isEmpty }

    /// The spans of the row in at most `width` columns, the provider's figure marked `provider`,
    /// the daemon's `local`: whole budgets only, as many as fit, then the age of the reading.
    public func spans(width: Int = .max) -> [TextSpan] {
        var spans = [TextSpan("provider", CellStyle(.accent, bold: true))]
        var used = 8
        let age = entries.compactMap(\.observedMsAgo).min().map { " · " + Format.age(milliseconds: $0) + ($0 < 1_000 ? "" : " ago") }
        let ageWidth = age.map(Canvas.columns) ?? 0
        for (index, entry) in entries.enumerated() {
            let tighter = entry.providerRemaining < entry.localRemaining
            let part = [
                TextSpan((index == 0 ? " " : "   ") + entry.budget + " ", .muted),
                TextSpan(Format.tokens(entry.providerRemaining), CellStyle(tighter ? .warn : .normal, bold: true)),
                TextSpan(" left · local ", .muted),
                TextSpan(Format.tokens(entry.localRemaining)),
                TextSpan(" left", .muted),
            ]
            let partWidth = part.reduce(0) { $0 + Canvas.columns($1.text) }
            guard index == 0 || used + partWidth + ageWidth <= width else { break }
            spans += part
            used += partWidth
        }
        if let age { spans.append(TextSpan(age, .muted)) }
        return spans
    }

    /// Draws the row on the first row of `rect`, clipped to its width.
    public func draw(into canvas: inout Canvas, _ rect: Rect, glyphs: Glyphs) {
        guard rect.height > 0, !isEmpty else { return }
        canvas.write(spans(width: rect.width), x: rect.x, y: rect.y, maxX: rect.maxX)
    }
}
