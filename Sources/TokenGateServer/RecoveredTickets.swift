import TokenGateCore

/// Tickets a previous daemon granted and this one holds again after a restart: workers still
/// know them by their old text, so a report or a release under it settles the reservation.
struct RecoveredTickets {
    private var byText: [String: TicketID] = [:]

    var isEmpty: Bool { byText.isEmpty }

    mutating func add(_ text: String, as id: TicketID) {
        byText[text] = id
    }

    /// The id of a recovered ticket's old text.
    func id(of text: String) -> TicketID? { byText[text] }

    /// Forgets a ticket once it is closed.
    mutating func remove(_ text: String) {
        byText[text] = nil
    }
}
