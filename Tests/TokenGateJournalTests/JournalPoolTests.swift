import Foundation
import GRDB
import Logging
import Testing
import TokenGateTestSupport
import TokenGateCore

@testable import TokenGateJournal

/// Pools in the journal: each pool's own pause, resume and limit change come back after the last
/// one of every pool, survive pruning, and a journal written before pools were journaled still reads.
@Suite("Journal pools")
struct JournalPoolTests {
    private func journal(at path: String, retention: TimeSpan = .seconds(7 * 86_400)) throws -> SQLiteJournal {
        try SQLiteJournal(path: path, options: JournalFixtures.options(retention: retention), logger: Logger(label: "test"))
    }

    @Test("a pool's own pause or resume counts when it comes after the last one of every pool")
    func poolPauses() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let journal = try journal(at: directory.file("u.sqlite"))
        defer { journal.close() }
        let now: Int64 = 1_800_000_000_000
        journal.append(JournalFixtures.action(.pause, at: now - 5_000, pool: "opus"))
        journal.append(JournalFixtures.action(.pause, at: now - 4_000))
        journal.append(JournalFixtures.action(.resume, at: now - 3_000, pool: "sonnet"))
        journal.append(JournalFixtures.action(.pause, at: now - 2_000, pool: "default"))
        journal.flush()
        var recovery = try journal.recover(window: .seconds(30), now: now)
        #expect(recovery.paused)
        // opus's own pause came before the pause of every pool: that one decides.
        #expect(recovery.poolPauses == ["sonnet": false, "default": true])

        journal.append(JournalFixtures.action(.resume, at: now - 1_000))
        journal.flush()
        recovery = try journal.recover(window: .seconds(30), now: now)
        #expect(!recovery.paused)
        #expect(recovery.poolPauses.isEmpty, "a resume of every pool resumes the pools paused alone")
    }

    @Test("each pool's last limit change comes back; default's as before")
    func poolLimits() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let journal = try journal(at: directory.file("u.sqlite"))
        defer { journal.close() }
        let now: Int64 = 1_800_000_000_000
        journal.append(JournalFixtures.action(.limit, at: now - 9_000, detail: "limit=100", pool: "opus"))
        journal.append(JournalFixtures.action(.limit, at: now - 8_000, detail: "limit=700 threshold=0.5"))
        journal.append(JournalFixtures.action(.limit, at: now - 7_000, detail: "limit=200 start_limit=5000", pool: "opus"))
        journal.append(JournalFixtures.action(.limit, at: now - 6_000, detail: "threshold=0.8", pool: "haiku"))
        journal.flush()
        let recovery = try journal.recover(window: .seconds(30), now: now)
        #expect(recovery.limitChange == JournalLimitChange(limit: 700, threshold: 0.5, startLimit: nil, startThreshold: nil))
        #expect(recovery.poolLimitChanges == [
            "opus": JournalLimitChange(limit: 200, threshold: nil, startLimit: 5000, startThreshold: nil),
            "haiku": JournalLimitChange(limit: nil, threshold: 0.8, startLimit: nil, startThreshold: nil),
        ])
    }

    @Test("pruning keeps each pool's last pause or resume and last limit change")
    func pruneKeepsEachPool() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("u.sqlite")
        let now = JournalFixtures.now()
        let hour: Int64 = 3_600_000
        let first = try journal(at: path)
        first.append(JournalFixtures.action(.pause, at: now - 6 * hour))
        first.append(JournalFixtures.action(.resume, at: now - 5 * hour, pool: "opus"))
        first.append(JournalFixtures.action(.pause, at: now - 4 * hour, pool: "opus"))
        first.append(JournalFixtures.action(.limit, at: now - 4 * hour, detail: "limit=1", pool: "opus"))
        first.append(JournalFixtures.action(.limit, at: now - 3 * hour, detail: "limit=2", pool: "opus"))
        first.append(JournalFixtures.action(.limit, at: now - 3 * hour, detail: "limit=3"))
        first.append(JournalFixtures.action(.cooldown, at: now - 3 * hour, pool: "opus"))
        first.close()

        let reopened = try journal(at: path, retention: .seconds(3600))
        defer { reopened.close() }
        let kept = try JournalFixtures.reader(path).read { db in
            try Row.fetchAll(db, sql: "SELECT kind, COALESCE(pool, '*'), detail FROM actions ORDER BY id").map {
                "\($0[0] as String)/\($0[1] as String)/\($0[2] as String)"
            }
        }
        #expect(kept == ["pause/*/", "pause/opus/", "limit/opus/limit=2", "limit/*/limit=3"])
        let recovery = try reopened.recover(window: .seconds(60))
        #expect(recovery.paused && recovery.poolPauses == ["opus": true])
        #expect(recovery.poolLimitChanges["opus"]?.limit == 2 && recovery.limitChange?.limit == 3)
    }

    @Test("a journal written before pools were journaled opens, and its rows have no pool")
    func journalBeforePools() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("u.sqlite")
        let now = JournalFixtures.now()
        let old = try DatabaseQueue(path: path)
        try JournalSchema.migrator.migrate(old, upTo: "v2")
        try old.write { db in
            try db.execute(
                sql: """
                    INSERT INTO usage(at_ms, worker, ticket, input, output, cache_creation, cache_read, model)
                    VALUES (?, 'w', NULL, 30, 4, 0, 0, 'claude-opus-4');
                    INSERT INTO actions(at_ms, kind, actor, detail) VALUES (?, 'pause', 'op', '');
                    INSERT INTO actions(at_ms, kind, actor, detail) VALUES (?, 'limit', 'op', 'limit=900');
                    """,
                arguments: [now - 1_000, now - 900, now - 800]
            )
        }
        try old.close()
        let journal = try journal(at: path)
        defer { journal.close() }
        let recovery = try journal.recover(window: .seconds(60))
        #expect(recovery.usage.map(\.pool) == [nil])
        #expect(recovery.usage.first?.model == "claude-opus-4")
        #expect(recovery.paused && recovery.poolPauses.isEmpty)
        #expect(recovery.limitChange?.limit == 900 && recovery.poolLimitChanges.isEmpty)
        journal.append(JournalFixtures.usage(at: now, worker: "new", pool: "opus"))
        journal.flush()
        #expect(try journal.recover(window: .seconds(60)).usage.map(\.pool) == [nil, "opus"])
    }
}
