import TokenGateWire

/// The row under the gauges that sets the provider's own figures beside the daemon's: for each
/// budget the provider reported on, what the provider says is left, what the local window believes
/// is left (limit - used - reserved), and how old the provider's reading is.
///
/// `provider tokens 310.0k left · local 590.0k left · 3s ago   input …`
public struct ProviderRow: Sendable {
    /// One budget's pair of figures.
    public struct Entry: Sendable, Equatable {
        public var budget: String
        public var providerRemaining: Int64
        public var localRemaining: Int64
        public var observedMsAgo: Int64?
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

    /// The spans of the row, the provider's figure marked `provider`, the daemon's `local`.
    public var spans: [TextSpan] {
        var spans = [TextSpan("provider", CellStyle(.accent, bold: true))]
        for (index, entry) in entries.enumerated() {
            spans.append(TextSpan(index == 0 ? " " : "   "))
            spans.append(TextSpan(entry.budget + " ", .muted))
            let tighter = entry.providerRemaining < entry.localRemaining
            spans.append(TextSpan(Format.tokens(entry.providerRemaining), CellStyle(tighter ? .warn : .normal, bold: true)))
            spans.append(TextSpan(" left", .muted))
            spans.append(TextSpan(" · local ", .muted))
            spans.append(TextSpan(Format.tokens(entry.localRemaining)))
            spans.append(TextSpan(" left", .muted))
            if let age = entry.observedMsAgo {
                spans.append(TextSpan(" · " + Format.age(milliseconds: age) + (age < 1_000 ? "" : " ago"), .muted))
            }
        }
        return spans
    }

    /// Draws the row on the first row of `rect`, clipped to its width.
    public func draw(into canvas: inout Canvas, _ rect: Rect, glyphs: Glyphs) {
        guard rect.height > 0, !isEmpty else { return }
        canvas.write(spans, x: rect.x, y: rect.y, maxX: rect.maxX)
    }
}
