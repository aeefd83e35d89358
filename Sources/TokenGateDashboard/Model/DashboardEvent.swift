/// A line in the events panel: something that changed between two snapshots, or in the link.
public struct DashboardEvent: Sendable, Equatable {
    /// What kind of change it was; the panel shows it as a short label, so colour is never the only cue.
    public enum Kind: Sendable, Equatable {
        case paused, resumed, cooldown, cooldownOver, limit, joined, left, connected, disconnected, restart,
            journalFailing, journalRecovered, notice
    }

    /// When it was seen, on the dashboard's clock (seconds).
    public var time: Double
    public var kind: Kind
    /// What happened, in a few words after the label: `1.80M → 1.98M` (LIMIT), `crawler-03 · 30s` (429),
    /// `eval-08` (JOIN).
    public var message: String

    public init(time: Double, kind: Kind, message: String) {
        self.time = time
        self.kind = kind
        self.message = message
    }

    /// The label shown before the message, at most 6 columns.
    public var label: String {
        switch kind {
        case .paused: "PAUSE"
        case .resumed: "RESUME"
        case .cooldown: "429"
        case .cooldownOver: "COOL"
        case .limit: "LIMIT"
        case .joined: "JOIN"
        case .left: "LEAVE"
        case .connected, .disconnected: "LINK"
        case .restart: "DAEMON"
        case .journalFailing, .journalRecovered: "JRNL"
        case .notice: "NOTE"
        }
    }

    /// How the label is coloured.
    public var role: ColorRole {
        switch kind {
        case .paused: .warn
        case .resumed, .cooldownOver, .joined, .connected, .journalRecovered: .good
        case .cooldown, .restart, .disconnected, .journalFailing: .bad
        case .limit: .accent
        case .left, .notice: .muted
        }
    }
}
