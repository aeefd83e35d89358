import ServiceLifecycle
import TokenGateJournal

/// The usage journal as a service of `serve`'s group. It is listed first, so the group stops it
/// last, once the daemon has answered and journalled everything; closing commits what is buffered.
struct JournalService: Service {
    let journal: SQLiteJournal

    func run() async throws {
        // Until the group stops: a graceful shutdown, or a cancellation when another service failed.
        try? await gracefulShutdown()
        journal.close()
    }
}
