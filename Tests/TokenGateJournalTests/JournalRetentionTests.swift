import Foundation
import GRDB
import Logging
import Testing
import TokenGateCore
import TokenGateTestSupport

@testable import TokenGateJournal

@Suite("Journal retention")
struct JournalRetentionTests {
    @Test("records older than the retention are pruned at start, keeping the last pause or resume and the last limit change")
    func pruneAtStart() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("u.sqlite")
        let now = JournalFixtures.now()
        let hour: Int64 = 3_600_000
        let journal = try SQLiteJournal(path: path, options: JournalFixtures.options(), logger: Logger(label: "test"))
        journal.append(JournalFixtures.usage(at: now - 3 * hour, worker: "old"))
        journal.append(JournalFixtures.action(.pause, at: now - 3 * hour))
        journal.append(JournalFixtures.action(.limit, at: now - 3 * hour))
        journal.append(JournalFixtures.usage(at: now - 10_000, worker: "new"))
        journal.close()
        #expect(try JournalFixtures.count("usage", in: path) == 2)

        let reopened = try SQLiteJournal(
            path: path, options: JournalFixtures.options(retention: .seconds(3600)), logger: Logger(label: "test")
        )
        defer { reopened.close() }
        let workers = try JournalFixtures.reader(path).read { db in try String.fetchAll(db, sql: "SELECT worker FROM usage") }
        #expect(workers == ["new"])
        let kinds = try JournalFixtures.reader(path).read { db in try String.fetchAll(db, sql: "SELECT kind FROM actions") }
        // The last pause or resume and the last limit change outlive the retention.
        #expect(kinds.sorted() == ["limit", "pause"])
        #expect(try reopened.recover(window: .seconds(60)).paused)
    }

    @Test("the background writer prunes while running")
    func pruneInBackground() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("u.sqlite")
        let journal = try SQLiteJournal(
            path: path,
            options: JournalFixtures.options(
                commitInterval: .milliseconds(20), retention: .seconds(1), pruneInterval: .milliseconds(50)
            ),
            logger: Logger(label: "test")
        )
        defer { journal.close() }
        let now = JournalFixtures.now()
        journal.append(JournalFixtures.usage(at: now - 5_000, worker: "stale"))
        journal.append(JournalFixtures.usage(at: now + 60_000, worker: "fresh"))
        let pruned = try JournalFixtures.eventually(timeout: 3) {
            try JournalFixtures.reader(path).read { db in try String.fetchAll(db, sql: "SELECT worker FROM usage") }
                == ["fresh"]
        }
        #expect(pruned)
    }
}
