import Logging
import TokenGateCore
import TokenGateWire

extension GateHost {
    /// `pause` or `resume` with `worker`: its waiters are passed over (or go again) in every
    /// pool; logged and journaled so that a restart keeps it.
    func controlWorker(_ worker: String, pausing: Bool, id: RequestID?, session: Session, now: Instant) {
        if pausing { pools.pause(worker: worker, now: now) } else { pools.resume(worker: worker, now: now) }
        logger.notice(pausing ? "worker paused" : "worker resumed", metadata: ["worker": "\(worker)", "by": "\(session.worker)"])
        journal(pausing ? .workerPause : .workerResume, by: session.worker, detail: JournalWorkerControl.detail(worker: worker), now: now)
        replyWorkerControl(worker, id: id, session: session, now: now)
    }

    /// `set_limit` with `worker` and `cap`: its used + reserved stays within cap x limit in every
    /// pool (nil clears the cap); logged and journaled.
    func capWorker(_ worker: String, cap: Double?, id: RequestID?, session: Session, now: Instant) {
        do {
            try pools.setCap(cap, worker: worker, now: now)
        } catch {
            metrics?.rejected(.badRequest)
            return session.write(Reply.encodeError(id: id, code: .badRequest, message: error.description))
        }
        logger.notice("worker cap changed", metadata: ["worker": "\(worker)", "cap": "\(cap.map { "\($0)" } ?? "none")", "by": "\(session.worker)"])
        journal(.workerCap, by: session.worker, detail: JournalWorkerControl.detail(worker: worker, cap: cap), now: now)
        replyWorkerControl(worker, id: id, session: session, now: now)
    }

    /// Takes back the pauses and caps an operator left on workers before a restart.
    func restoreWorkerControls(_ controls: [String: JournalWorkerControl], now: Instant) {
        for (worker, control) in controls.sorted(by: { $0.key < $1.key }) {
            if control.paused { pools.pause(worker: worker, now: now) }
            if let cap = control.cap { try? pools.setCap(cap, worker: worker, now: now) }
        }
        guard !controls.isEmpty else { return }
        logger.notice(
            "restored worker controls from the journal",
            metadata: [
                "paused": "\(controls.filter(\.value.paused).keys.sorted().joined(separator: ","))",
                "capped": "\(controls.filter { $0.value.cap != nil }.keys.sorted().joined(separator: ","))",
            ]
        )
    }

    private func replyWorkerControl(_ worker: String, id: RequestID?, session: Session, now: Instant) {
        session.write(Reply.encodeWorkerControl(
            id: id, state: gate.snapshot(now: now).state, worker: worker,
            paused: gate.isPaused(worker: worker), cap: gate.cap(of: worker)
        ))
    }
}
