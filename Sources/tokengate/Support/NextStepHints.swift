import TokenGateClient
import TokenGateWire

/// What the one-shot commands add to an error so that it says what to do next.
enum NextStepHints {
    /// The line for a daemon that could not be reached at `path`, with what to do about it.
    static func unreachable(path: String, reason: String) -> String {
        let lowered = reason.lowercased()
        if lowered.contains("permission denied") {
            return "daemon not reachable at \(path): \(reason); the socket belongs to another user "
                + "(start the daemon with --allow-group GROUP for a group you are in, or use your own daemon)"
        }
        return "daemon not reachable at \(path): \(reason); start it with `tokengate serve`, or set "
            + "TOKENGATE_SOCKET (or pass --socket) to the socket it listens on"
    }

    /// The line for an error of `client`, with the next step when there is one.
    static func message(for error: TokenGateClientError) -> String {
        switch error {
        case .unreachable(let path, let reason):
            return unreachable(path: path, reason: reason)
        case .connectionLost:
            return error.message + "; the daemon stopped or restarted: check it with `tokengate status` and run the command again"
        case .rejected(.forbidden, _):
            return error.message + "; only the daemon's own user (or root) may do this"
        default:
            return error.message
        }
    }

    /// Why an acquire of `timeoutMs` got no grant, from the daemon's status at that moment.
    static func timedOut(afterMs timeoutMs: Int64, status: Status?) -> String {
        let head = "no grant within \(timeoutMs) ms"
        guard let status else { return head }
        switch status.state {
        case .paused:
            return head + ": the daemon is paused (`tokengate resume` lets grants through again)"
        case .cooldown:
            var text = head + ": the daemon is cooling down after a provider 429"
            if let worker = status.cooldownWorker { text += " from \(worker)" }
            if let remaining = status.cooldownRemainingMs {
                text += ", \(StatusSummary.formatMilliseconds(remaining)) left"
            }
            return text + " (grants resume by themselves then)"
        case .running:
            let capacity = Int64((Double(status.limit) * status.threshold).rounded(.down))
            return head + ": the window is full (used \(StatusSummary.grouped(status.used)) + reserved "
                + "\(StatusSummary.grouped(status.reserved)) of \(StatusSummary.grouped(capacity)) allowed, "
                + "\(status.waiting) waiting); wait longer with a larger --timeout-ms, or see `tokengate status`"
        }
    }
}
