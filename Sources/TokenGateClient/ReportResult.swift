/// The daemon's answer to a `report`: the usage is always recorded; the result says whether the
/// ticket was one the daemon knew.
public struct ReportResult: Sendable, Hashable {
    /// The reply's `warning`, when it had one (`"unknown_ticket"`).
    public let warning: String?

    /// A result with this warning.
    public init(warning: String?) {
        self.warning = warning
    }

    /// The ticket was unknown (already settled, released, or from before a daemon restart): the usage
    /// was recorded as a ticketless request.
    public var unknownTicket: Bool { warning == "unknown_ticket" }
}
