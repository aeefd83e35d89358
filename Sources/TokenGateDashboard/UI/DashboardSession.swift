import TokenGateCore
import TokenGateWire

/// The dashboard's state machine, without a terminal: it takes link events and actions, tells the
/// runner which commands to send to the daemon, and renders frames. Pure: time is passed in.
public struct DashboardSession: Sendable {
    /// A request for the daemon, carried out by the runner through the link.
    public enum Command: Sendable, Equatable {
        /// Pause pool `pool`, or every pool when `nil`.
        case pause(pool: String?)
        /// Resume pool `pool`, or every pool when `nil`.
        case resume(pool: String?)
        /// Set the limit of pool `pool`, or of the daemon's `default` when `nil`.
        case setLimit(Int64, pool: String?)
        /// Pass over a worker's queued acquires (contract v2).
        case pauseWorker(String)
        /// Let a worker's queued acquires go again.
        case resumeWorker(String)
        /// Cap a worker at a fraction of each limit, or clear its cap (`nil`).
        case setCap(Double?, worker: String)
    }

    /// What the runner must do after an action.
    public enum Effect: Sendable, Equatable {
        case none
        case command(Command)
        /// Repaint every cell (after a resize or Ctrl-L).
        case repaint
        case suspend
        case quit
    }

    /// What is known about the daemon.
    public private(set) var model: DashboardModel
    /// Sort, selection, scroll and help.
    public private(set) var ui: DashboardUIState
    /// Shown in the header.
    public let socketLabel: String
    /// What the help overlay says `q` does.
    public var quitText = "quit (the daemon keeps running)"
    /// The limit change the confirm line proposes (`+`/`-` open it, Enter applies, Esc cancels).
    public private(set) var limitProposal: LimitProposal?
    /// The open input line of the selected worker's cap (`c` opens it, Enter sets, Esc cancels).
    public private(set) var capEntry: CapEntry?
    /// The terminal's size, as of the last resize.
    public private(set) var size: TerminalSize
    /// A short message for the key bar, shown until `noticeUntil`.
    public private(set) var notice: String?
    /// When the notice goes (dashboard clock).
    public private(set) var noticeUntil: Double = 0
    /// The limit asked for most recently, until a snapshot shows it (so `+ + +` compounds).
    public private(set) var requestedLimit: Int64?
    /// The pool of `requestedLimit` (`nil`: the daemon's only one).
    var requestedLimitPool: String?
    var requestedAt: Double = 0
    /// The notice shown when the requested limit was sent.
    var limitNotice: String?
    /// The state asked for by `p`, until a snapshot shows it (then the notice goes).
    var requestedState: GateState?
    /// The pool of `requestedState` (`nil`: every pool).
    var requestedStatePool: String?

    /// How long a notice stays, and how long a requested limit is used as the base for the next step.
    public static let noticeSeconds = 3.0

    public init(socketLabel: String, size: TerminalSize, model: DashboardModel = DashboardModel(), ui: DashboardUIState = DashboardUIState()) {
        self.socketLabel = socketLabel
        self.size = size
        self.model = model
        self.ui = ui
    }

    /// The layout for the current size and budgets, `nil` when the terminal is too small.
    public var layout: DashboardLayout? {
        DashboardView.layout(for: model.status, size: size)
    }

    /// Worker rows the table shows at once.
    public var visibleRows: Int { layout?.tableVisibleRows ?? 1 }

    /// Worker names in table order (those the filter keeps).
    public var rowNames: [String] {
        DashboardView.tableRows(for: model.status, sort: ui.sort, pool: ui.selectedPool, filter: ui.filter).map(\.worker)
    }

    /// What is open on screen, for ``KeyMap/action(for:in:)``.
    public var keyContext: KeyContext {
        KeyContext(
            helpShown: ui.showHelp, limitProposalOpen: limitProposal != nil, inputOpen: capEntry != nil || ui.editingFilter,
            detailShown: ui.showDetail, filterActive: !ui.filter.isEmpty)
    }

    /// The selected worker as the latest snapshot has it, when the table shows it.
    public var selectedWorker: WorkerStatus? {
        guard let name = ui.selectedWorker, rowNames.contains(name) else { return nil }
        return model.status?.workers.first { $0.worker == name }
    }

    /// The terminal has a new size.
    public mutating func resize(to size: TerminalSize) {
        self.size = size
        ui.reconcile(rows: rowNames, visibleRows: visibleRows)
    }

    /// Applies an event from the link.
    public mutating func receive(_ event: DashboardLinkEvent, now: Double) {
        model.apply(event, now: now)
        if case .snapshot(let status) = event {
            ui.selectedPool = PoolSelection.reconciled(ui.selectedPool, in: status)
            let limit = PoolSelection.limit(of: requestedLimitPool, in: status)
            if let requested = requestedLimit, limit == requested || now - requestedAt > DashboardSession.noticeSeconds {
                requestedLimit = nil
                // The confirmation ends the limit's own notice, not a later one ("limit unchanged").
                if limit == requested, notice == limitNotice { clearNotice() }
            }
            let state = PoolSelection.state(of: requestedStatePool, in: status)
            if let requested = requestedState, requested == state || (requested == .running && state == .cooldown) {
                requestedState = nil
                clearNotice()
            }
            ui.reconcile(rows: rowNames, visibleRows: visibleRows)
        }
    }

    /// A command sent to the daemon failed: say so in the events panel and the key bar.
    public mutating func commandFailed(_ command: Command, reason: String, now: Double) {
        let what: String
        switch command {
        case .pause(let pool): what = "pause" + (pool.map { " " + $0 } ?? "")
            requestedState = nil
        case .resume(let pool): what = "resume" + (pool.map { " " + $0 } ?? "")
            requestedState = nil
        case .setLimit(let limit, let pool): what = "limit " + (pool.map { $0 + " " } ?? "") + Format.tokens(limit)
            requestedLimit = nil
        case .pauseWorker(let worker): what = "pause " + worker
        case .resumeWorker(let worker): what = "resume " + worker
        case .setCap(let cap, let worker): what = "cap " + worker + " " + (cap.map(CapEntry.text(for:)) ?? "none")
        }
        model.note("\(what) failed: \(reason)", now: now)
        show("\(what) failed", now: now)
    }

    /// Carries out `action` and says what the runner must do.
    public mutating func handle(_ action: DashboardAction, now: Double) -> Effect {
        let rows = rowNames
        let visible = visibleRows
        switch action {
        case .quit:
            return .quit
        case .suspend:
            return .suspend
        case .redraw, .resize:
            return .repaint
        case .toggleHelp:
            ui.showHelp.toggle()
        case .closeHelp:
            ui.showHelp = false
        case .nextSort, .previousSort:
            ui.sort = action == .nextSort ? ui.sort.next : ui.sort.previous
            ui.reconcile(rows: rowNames, visibleRows: visible)
        case .selectPrevious:
            ui.moveSelection(by: -1, rows: rows, visibleRows: visible)
        case .selectNext:
            ui.moveSelection(by: 1, rows: rows, visibleRows: visible)
        case .pageUp:
            ui.moveSelection(by: -max(1, visible - 1), rows: rows, visibleRows: visible)
        case .pageDown:
            ui.moveSelection(by: max(1, visible - 1), rows: rows, visibleRows: visible)
        case .selectFirst:
            ui.select(index: 0, rows: rows, visibleRows: visible)
        case .selectLast:
            ui.select(index: rows.count - 1, rows: rows, visibleRows: visible)
        case .nextPool, .previousPool:
            let pools = PoolSelection.pools(of: model.status)
            guard !pools.isEmpty, limitProposal == nil else { return .none }
            ui.selectedPool = PoolSelection.step(from: ui.selectedPool, forward: action == .nextPool, pools: pools)
            ui.reconcile(rows: rowNames, visibleRows: visible)
        case .togglePause:
            guard let status = connectedStatus(now: now) else { return .none }
            let pool = PoolSelection.pool(ui.selectedPool, in: status)?.name
            let suffix = pool.map { " " + $0 } ?? (PoolSelection.pools(of: status).isEmpty ? "" : " all pools")
            requestedStatePool = pool
            if PoolSelection.state(of: pool, in: status) == .paused {
                requestedState = .running
                show("resuming\(suffix)…", now: now)
                return .command(.resume(pool: pool))
            }
            requestedState = .paused
            show("pausing\(suffix)…", now: now)
            return .command(.pause(pool: pool))
        case .raiseLimit, .lowerLimit:
            guard let status = connectedStatus(now: now) else { return .none }
            let up = action == .raiseLimit
            if limitProposal == nil {
                let target = PoolSelection.limitTarget(ui.selectedPool, in: status)
                let requested = requestedLimitPool == target ? requestedLimit : nil
                limitProposal = LimitProposal(
                    current: requested ?? PoolSelection.limit(of: target, in: status), up: up, pool: target)
            } else {
                limitProposal?.move(up: up)
            }
        case .confirmLimit:
            guard let proposal = limitProposal else { return .none }
            limitProposal = nil
            guard proposal.proposed != proposal.current else {
                show("limit unchanged", now: now)
                return .none
            }
            requestedLimit = proposal.proposed
            requestedLimitPool = proposal.pool
            requestedAt = now
            let pool = proposal.pool.map { $0 + " " } ?? ""
            limitNotice = "limit \(pool)\(Format.tokens(proposal.current)) → \(Format.tokens(proposal.proposed))…"
            show(limitNotice ?? "", now: now)
            return .command(.setLimit(proposal.proposed, pool: proposal.pool))
        case .cancelLimit:
            guard limitProposal != nil else { return .none }
            limitProposal = nil
            show("limit unchanged", now: now)
        case .toggleWorkerPause, .toggleDetail, .closeDetail, .editCap, .editFilter, .clearFilter, .type,
             .deleteBackward, .submitInput, .cancelInput:
            return handleWorkerAction(action, now: now)
        }
        return .none
    }

    /// The selected worker's keys (`x`, Enter, `c`), the filter (`/`) and the input lines.
    private mutating func handleWorkerAction(_ action: DashboardAction, now: Double) -> Effect {
        switch action {
        case .toggleWorkerPause:
            guard let status = connectedStatus(now: now), !refusedUnshared(status, now: now),
                let worker = selectedOrSay(now: now)
            else { return .none }
            if worker.paused == true {
                show("resuming \(worker.worker)…", now: now)
                return .command(.resumeWorker(worker.worker))
            }
            show("pausing \(worker.worker)…", now: now)
            return .command(.pauseWorker(worker.worker))
        case .toggleDetail:
            if ui.showDetail {
                ui.showDetail = false
            } else if selectedOrSay(now: now) != nil {
                ui.showDetail = true
            }
        case .closeDetail:
            ui.showDetail = false
        case .editCap:
            guard limitProposal == nil, let status = connectedStatus(now: now), !refusedUnshared(status, now: now),
                let worker = selectedOrSay(now: now)
            else { return .none }
            capEntry = CapEntry(worker: worker.worker, current: worker.cap)
        case .editFilter:
            guard limitProposal == nil else { return .none }
            ui.editingFilter = true
        case .clearFilter:
            setFilter("")
        case .type(let character):
            if capEntry != nil {
                capEntry?.type(character)
            } else if ui.editingFilter, ui.filter.count < WorkerFilter.maximumLength {
                setFilter(ui.filter + String(character))
            }
        case .deleteBackward:
            if capEntry != nil {
                capEntry?.deleteBackward()
            } else if ui.editingFilter, !ui.filter.isEmpty {
                setFilter(String(ui.filter.dropLast()))
            }
        case .submitInput:
            if var entry = capEntry {
                guard let choice = entry.submit() else {
                    capEntry = entry
                    return .none
                }
                capEntry = nil
                let text = choice.cap.map(CapEntry.text(for:)) ?? "none"
                show("cap \(entry.worker) \(text)…", now: now)
                return .command(.setCap(choice.cap, worker: entry.worker))
            }
            ui.editingFilter = false
        case .cancelInput:
            if capEntry != nil {
                capEntry = nil
                show("cap unchanged", now: now)
            } else {
                ui.editingFilter = false
                setFilter("")
            }
        default:
            break
        }
        return .none
    }

    /// The selected worker, or `nil` with a notice when the table shows none.
    private mutating func selectedOrSay(now: Double) -> WorkerStatus? {
        guard let worker = selectedWorker else {
            show("no worker selected", now: now)
            return nil
        }
        return worker
    }

    private mutating func setFilter(_ filter: String) {
        ui.filter = filter
        ui.reconcile(rows: rowNames, visibleRows: visibleRows)
    }

    /// One frame at `now`.
    public func render(glyphs: Glyphs, now: Double) -> Canvas {
        DashboardView.render(
            model: model, ui: ui, size: size, glyphs: glyphs, now: now, socketLabel: socketLabel,
            notice: now < noticeUntil ? notice : nil, limitProposal: limitProposal, capEntry: capEntry, quitText: quitText)
    }

    /// With `serve --redis` a worker's pause and cap are not shared yet (the daemon would refuse
    /// them): said here, nothing sent.
    private mutating func refusedUnshared(_ status: Status, now: Double) -> Bool {
        guard status.cluster != nil else { return false }
        model.note("a worker's pause and cap are not shared through Redis yet: pause the pool (p) or stop the worker", now: now)
        show("not shared through Redis yet", now: now)
        return true
    }

    private mutating func connectedStatus(now: Double) -> Status? {
        guard model.isConnected, let status = model.status else {
            show("not connected", now: now)
            return nil
        }
        return status
    }

    private mutating func show(_ text: String, now: Double) {
        notice = text
        noticeUntil = now + DashboardSession.noticeSeconds
    }

    private mutating func clearNotice() {
        notice = nil
        noticeUntil = 0
    }
}
