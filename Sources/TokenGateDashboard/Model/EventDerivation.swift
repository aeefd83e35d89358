import TokenGateWire

/// Derives the events panel's lines by comparing two successive snapshots. Pure.
public enum EventDerivation {
    /// More joins or leaves than this in one snapshot are reported as one line.
    public static let coalesceAbove = 3

    /// What changed from `old` to `new`, seen at `now`. The first snapshot (`old == nil`) yields nothing:
    /// the link's `connected` event already says hello.
    public static func events(from old: Status?, to new: Status, now: Double) -> [DashboardEvent] {
        guard let old else { return [] }
        var events: [DashboardEvent] = []
        func add(_ kind: DashboardEvent.Kind, _ message: String) {
            events.append(DashboardEvent(time: now, kind: kind, message: message))
        }

        if new.uptimeMs < old.uptimeMs {
            add(.restart, "daemon restarted (\(new.server))")
        }

        switch (old.state, new.state) {
        case (.running, .paused), (.cooldown, .paused):
            add(.paused, "no new grants")
        case (.paused, .running):
            add(.resumed, "grants again")
        case (.running, .cooldown), (.paused, .cooldown):
            add(.cooldown, cooldownMessage(new, renewed: false))
        case (.cooldown, .running):
            add(.cooldownOver, "cooldown over")
        case (.cooldown, .cooldown):
            let extended = (new.cooldownRemainingMs ?? 0) > (old.cooldownRemainingMs ?? 0)
            if extended || new.cooldownWorker != old.cooldownWorker {
                add(.cooldown, cooldownMessage(new, renewed: true))
            }
        default:
            break
        }

        var limitChanges: [String] = []
        if new.limit != old.limit {
            limitChanges.append("\(Format.tokens(old.limit)) → \(Format.tokens(new.limit))")
        }
        if new.threshold != old.threshold {
            limitChanges.append("threshold \(Format.percent(old.threshold)) → \(Format.percent(new.threshold))")
        }
        if new.windowMs != old.windowMs {
            limitChanges.append(
                "window \(Format.window(milliseconds: old.windowMs)) → \(Format.window(milliseconds: new.windowMs))")
        }
        if !limitChanges.isEmpty { add(.limit, limitChanges.joined(separator: ", ")) }

        let oldBudgets = Dictionary(old.budgets.map { ($0.name, $0.limit) }, uniquingKeysWith: { first, _ in first })
        for budget in new.budgets where budget.name != "tokens" {
            if let previous = oldBudgets[budget.name] {
                if previous != budget.limit {
                    add(.limit, "\(budget.name) \(Format.tokens(previous)) → \(Format.tokens(budget.limit))")
                }
            } else if !old.budgets.isEmpty {
                add(.limit, "\(budget.name) budget on: \(Format.tokens(budget.limit))")
            }
        }

        if let journal = new.journal, journal.ok != (old.journal?.ok ?? true) {
            if journal.ok {
                add(.journalRecovered, "journal writing again")
            } else {
                add(.journalFailing, "journal failing: " + (journal.error ?? "unknown error"))
            }
        }

        let wasConnected = Set(old.workers.filter(\.connected).map(\.worker))
        let isConnected = Set(new.workers.filter(\.connected).map(\.worker))
        let joined = new.workers.map(\.worker).filter { isConnected.contains($0) && !wasConnected.contains($0) }
        let left = old.workers.map(\.worker).filter { wasConnected.contains($0) && !isConnected.contains($0) }
        addWorkers(joined, kind: .joined, to: &events, now: now)
        addWorkers(left, kind: .left, to: &events, now: now)
        return events
    }

    static func cooldownMessage(_ status: Status, renewed: Bool) -> String {
        let duration = status.cooldownRemainingMs.map { Format.countdown(milliseconds: $0) }
        var text: String
        if let worker = status.cooldownWorker {
            text = worker + (duration.map { " · " + $0 } ?? "")
        } else {
            text = "cooldown" + (duration.map { " " + $0 } ?? "")
        }
        if renewed { text += " (renewed)" }
        return text
    }

    /// One JOIN or LEAVE line per worker (the label says which), or one line for many.
    static func addWorkers(
        _ names: [String], kind: DashboardEvent.Kind, to events: inout [DashboardEvent], now: Double
    ) {
        guard !names.isEmpty else { return }
        if names.count > coalesceAbove {
            let sample = names.sorted().prefix(2).joined(separator: ", ")
            events.append(DashboardEvent(time: now, kind: kind, message: "\(names.count) workers: \(sample), …"))
        } else {
            for name in names.sorted() {
                events.append(DashboardEvent(time: now, kind: kind, message: name))
            }
        }
    }
}
