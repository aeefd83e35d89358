import TokenGateCore
import TokenGateWire

/// The queue in three lines: how many wait, who is at the head with what estimate, and when it will
/// be admitted; while acquires wait on a daemon that reports priorities, a fourth under the first:
/// how many wait at each priority (``mixLine()``).
public struct QueuePanel: Sendable {
    public var status: Status?
    /// Seconds since the snapshot arrived, to count the head's estimate down.
    public var snapshotAge: Double
    /// The cooldown left now, if any.
    public var cooldownRemainingMs: Int64?

    public init(status: Status?, snapshotAge: Double, cooldownRemainingMs: Int64?) {
        self.status = status
        self.snapshotAge = snapshotAge
        self.cooldownRemainingMs = cooldownRemainingMs
    }

    /// The three lines, label and value.
    public func lines() -> [[TextSpan]] {
        let label = CellStyle(.muted)
        guard let status else {
            return [[TextSpan("waiting  ", label), TextSpan("-")], [], []]
        }
        var waitingLine = [TextSpan("waiting  ", label)]
        waitingLine.append(TextSpan(String(status.waiting), CellStyle(status.waiting > 0 ? .warn : .normal, bold: true)))
        waitingLine.append(TextSpan("  in flight ", label))
        waitingLine.append(TextSpan(String(status.inFlight)))

        guard let head = status.queue, status.waiting > 0 else {
            let note: TextSpan
            switch status.state {
            case .running: note = TextSpan("at once (no queue)")
            case .paused: note = TextSpan("on resume (paused)", CellStyle(.warn, bold: true))
            case .cooldown:
                let left = Format.countdown(milliseconds: cooldownRemainingMs ?? 0)
                note = TextSpan("after cooldown, \(left)", CellStyle(.bad, bold: true))
            }
            return [waitingLine, [TextSpan("head     ", label), TextSpan("-")], [TextSpan("admit    ", label), note]]
        }
        var headLine = [
            TextSpan("head     ", label), TextSpan(head.worker, CellStyle(bold: true)),
            TextSpan("  est ", label), TextSpan(Format.tokens(head.estimate), CellStyle(head.oversized ? .warn : .normal)),
        ]
        if let priority = head.priority {
            headLine += [TextSpan("  "), TextSpan(priority.rawValue, WorkerDetail.style(of: priority))]
        }
        return [waitingLine, headLine, [TextSpan("admit    ", label)] + admission(status: status, head: head)]
    }

    func admission(status: Status, head: QueueStatus) -> [TextSpan] {
        switch status.state {
        case .paused:
            return [TextSpan("on resume (paused)", CellStyle(.warn, bold: true))]
        case .cooldown:
            let left = Format.countdown(milliseconds: cooldownRemainingMs ?? 0)
            return [TextSpan("after cooldown, \(left)", CellStyle(.bad, bold: true))]
        case .running:
            break
        }
        if head.oversized {
            return [TextSpan("into an empty window", CellStyle(.warn, bold: true))]
        }
        guard let ms = head.admissibleInMs else {
            return [TextSpan("when a report or release frees room", CellStyle(.normal))]
        }
        let left = max(0, ms - Int64((snapshotAge * 1000).rounded(.down)))
        return left == 0 ? [TextSpan("now", CellStyle(.good, bold: true))] : [
            TextSpan("in "), TextSpan(Format.countdown(milliseconds: left), CellStyle(bold: true)),
        ]
    }

    /// The priority mix, `by prio  high 1 normal 3 low 0`; `nil` when nothing waits (the events
    /// get the row back) or the daemon reports no mix.
    public func mixLine() -> [TextSpan]? {
        guard let mix = status?.queueByPriority, mix.high + mix.normal + mix.low > 0 else { return nil }
        var line = [TextSpan("by prio ", CellStyle(.muted))]
        for priority in Priority.allCases {
            let count = mix[priority]
            line.append(TextSpan(" " + priority.rawValue + " ", count > 0 ? WorkerDetail.style(of: priority) : .muted))
            line.append(TextSpan(String(count), CellStyle(count > 0 ? .warn : .muted, bold: count > 0)))
        }
        return line
    }

    /// The lines to draw: ``lines()`` with ``mixLine()`` second when there is one.
    public func allLines() -> [[TextSpan]] {
        var all = lines()
        if let mix = mixLine() { all.insert(mix, at: 1) }
        return all
    }

    /// Draws the lines into `rect`, one per row.
    public func draw(into canvas: inout Canvas, _ rect: Rect, glyphs: Glyphs) {
        for (index, line) in allLines().enumerated() where index < rect.height {
            canvas.write(truncated(line, to: rect.width - 1, glyphs: glyphs), x: rect.x + 1, y: rect.y + index, maxX: rect.maxX)
        }
    }
}

/// Cuts a line of spans to `width` columns, with an ellipsis at the cut.
func truncated(_ spans: [TextSpan], to width: Int, glyphs: Glyphs) -> [TextSpan] {
    guard spans.columns > width else { return spans }
    var out: [TextSpan] = []
    var left = width
    for span in spans {
        if span.columns < left {
            out.append(span)
            left -= span.columns
        } else {
            out.append(TextSpan(glyphs.truncate(span.text + " ", to: left), span.style))
            break
        }
    }
    return out
}
