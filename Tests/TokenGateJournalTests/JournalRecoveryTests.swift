import Foundation
import Logging
import Testing
import TokenGateCore
import TokenGateTestSupport

@testable import TokenGateJournal

@Suite("Journal recovery")
struct JournalRecoveryTests {
    private func journal(in directory: TemporaryDirectory) throws -> SQLiteJournal {
        try SQLiteJournal(path: directory.file("u.sqlite"), options: JournalFixtures.options(), logger: Logger(label: "test"))
    }

    @Test("only the usage inside the window comes back, oldest first")
    func windowFiltering() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let journal = try journal(in: directory)
        defer { journal.close() }
        let now: Int64 = 1_800_000_000_000
        journal.append(JournalFixtures.usage(at: now - 40_000, worker: "gone"))
        journal.append(JournalFixtures.usage(at: now - 1_000, worker: "late", input: 7, output: 1, model: "m"))
        journal.append(JournalFixtures.usage(at: now - 29_000, worker: "early", input: 3, output: 2, cacheRead: 9))
        journal.append(JournalFixtures.usage(at: now + 500, worker: "future"))
        journal.flush()
        let recovery = try journal.recover(window: .seconds(30), now: now)
        #expect(recovery.usage.map(\.worker) == ["early", "late", "future"])
        #expect(recovery.usage[0] == JournalUsage(
            wallMilliseconds: now - 29_000, worker: "early", ticket: nil, input: 3, output: 2, cacheCreation: 0,
            cacheRead: 9, model: nil
        ))
        #expect(recovery.usage[1].model == "m")
        #expect(!recovery.paused)
    }

    @Test("the last pause or resume decides the paused state, however old")
    func pausedState() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let journal = try journal(in: directory)
        defer { journal.close() }
        let now: Int64 = 1_800_000_000_000
        #expect(try !journal.recover(window: .seconds(30), now: now).paused)
        journal.append(JournalFixtures.action(.pause, at: now - 3_600_000))
        journal.append(JournalFixtures.action(.limit, at: now - 1_000))
        journal.flush()
        #expect(try journal.recover(window: .seconds(30), now: now).paused)
        journal.append(JournalFixtures.action(.resume, at: now - 500))
        journal.append(JournalFixtures.action(.cooldown, at: now - 100))
        journal.flush()
        #expect(try !journal.recover(window: .seconds(30), now: now).paused)
        journal.append(JournalFixtures.action(.pause, at: now - 50))
        journal.flush()
        #expect(try journal.recover(window: .seconds(30), now: now).paused)
    }
}
