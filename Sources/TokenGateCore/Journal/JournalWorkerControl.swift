/// A worker's pause and cap as the journal keeps them: actions of kind `worker_pause`,
/// `worker_resume` and `worker_cap`, whose detail reads `worker=NAME` (and ` cap=0.25` or
/// ` cap=none` for a cap). Replaying a worker's actions in order gives its controls.
public struct JournalWorkerControl: Sendable, Equatable {
    public var paused: Bool
    /// Its share of each limit; nil when uncapped.
    public var cap: Double?

    public init(paused: Bool = false, cap: Double? = nil) {
        self.paused = paused
        self.cap = cap
    }

    /// Whether it holds nothing (a worker resumed and uncapped needs no restoring).
    public var isEmpty: Bool { !paused && cap == nil }

    /// The detail text of a worker's pause or resume.
    public static func detail(worker: String) -> String { "worker=\(worker)" }

    /// The detail text of a worker's cap (nil: cleared).
    public static func detail(worker: String, cap: Double?) -> String {
        "worker=\(worker) cap=\(cap.map { "\($0)" } ?? "none")"
    }

    /// The worker a detail names; nil when it names none.
    public static func worker(inDetail detail: String) -> String? {
        field("worker", in: detail)
    }

    /// Applies one journaled action (`kind`, `detail`) to these controls; actions of other kinds,
    /// and caps that cannot be read, change nothing.
    public mutating func apply(_ kind: JournalAction.Kind, detail: String) {
        switch kind {
        case .workerPause: paused = true
        case .workerResume: paused = false
        case .workerCap:
            guard let text = Self.field("cap", in: detail) else { return }
            if text == "none" {
                cap = nil
            } else if let value = Double(text), value > 0, value <= 1 {
                cap = value
            }
        case .pause, .resume, .limit, .cooldown: break
        }
    }

    private static func field(_ name: String, in detail: String) -> String? {
        for word in detail.split(separator: " ") {
            let parts = word.split(separator: "=", maxSplits: 1)
            if parts.count == 2, parts[0] == name { return String(parts[1]) }
        }
        return nil
    }
}
