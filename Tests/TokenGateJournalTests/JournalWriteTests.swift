import Foundation
import GRDB
import Logging
import Testing
import TokenGateCore
import TokenGateTestSupport

@testable import TokenGateJournal

extension OneAtATime {
    @Suite("Journal writes")
    struct JournalWriteTests {
        @Test("append only buffers; flush commits every field in one batch")
        func roundTrip() throws {
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let path = directory.file("u.sqlite")
            let journal = try SQLiteJournal(path: path, options: JournalFixtures.options(), logger: Logger(label: "test"))
            defer { journal.close() }
            let now = JournalFixtures.now()
            journal.append(JournalFixtures.usage(
                at: now, worker: "crawler-1", input: 100, output: 20, cacheCreation: 3, cacheRead: 4, ticket: "ab12-7",
                model: "claude-x"
            ))
            journal.append(JournalFixtures.usage(at: now + 1, worker: "pid-42"))
            journal.append(JournalFixtures.action(.limit, at: now + 2, detail: "limit=5 threshold=0.9"))
            // Nothing reaches SQLite on the caller's thread.
            #expect(try JournalFixtures.count("usage", in: path) == 0)
            #expect(journal.buffer.count == 3)
            #expect(journal.flush())
            let rows = try JournalFixtures.reader(path).read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM usage ORDER BY id")
            }
            #expect(rows.count == 2)
            #expect(rows[0]["at_ms"] == now)
            #expect(rows[0]["worker"] == "crawler-1")
            #expect(rows[0]["ticket"] == "ab12-7")
            #expect(rows[0]["input"] == 100)
            #expect(rows[0]["output"] == 20)
            #expect(rows[0]["cache_creation"] == 3)
            #expect(rows[0]["cache_read"] == 4)
            #expect(rows[0]["model"] == "claude-x")
            #expect(rows[1]["ticket"] as String? == nil)
            #expect(rows[1]["model"] as String? == nil)
            let action = try JournalFixtures.reader(path).read { db in try Row.fetchOne(db, sql: "SELECT * FROM actions") }
            #expect(action?["kind"] == "limit")
            #expect(action?["actor"] == "operator")
            #expect(action?["detail"] == "limit=5 threshold=0.9")
            #expect(journal.degradedReason == nil)
        }

        @Test("the background writer commits within about 100 ms, in batches")
        func batching() throws {
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let path = directory.file("u.sqlite")
            let journal = try SQLiteJournal(
                path: path, options: JournalFixtures.options(commitInterval: .milliseconds(100)), logger: Logger(label: "test")
            )
            defer { journal.close() }
            let reader = try JournalFixtures.reader(path)
            let before = try reader.read { db in try Int.fetchOne(db, sql: "PRAGMA data_version") ?? 0 }
            let start = Date()
            let now = JournalFixtures.now()
            for index in 0..<5000 { journal.append(JournalFixtures.usage(at: now + Int64(index % 50))) }
            let appended = Date().timeIntervalSince(start)
            let visible = try JournalFixtures.eventually(timeout: 3) {
                try reader.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM usage") } == 5000
            }
            let latency = Date().timeIntervalSince(start) - appended
            #expect(visible)
            #expect(latency < 1.0, "committed \(latency) s after the last append")
            // Each commit by another connection bumps data_version: 5000 events took a handful of
            // transactions, not 5000.
            let after = try reader.read { db in try Int.fetchOne(db, sql: "PRAGMA data_version") ?? 0 }
            #expect(after - before < 50)
        }

        @Test("the schema is versioned by GRDB's migrator, in WAL mode, with indexes on time")
        func schema() throws {
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let path = directory.file("u.sqlite")
            try SQLiteJournal(path: path, options: JournalFixtures.options(), logger: Logger(label: "test")).close()
            try JournalFixtures.reader(path).read { db in
                #expect(try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations") == ["v1", "v2", "v3"])
                #expect(try String.fetchOne(db, sql: "PRAGMA journal_mode") == "wal")
                for table in ["usage", "actions", "open_grants"] {
                    #expect(try db.columns(in: table).contains { $0.name == "pool" }, "v3 adds pool to \(table)")
                }
                let indexes = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index'")
                #expect(indexes.contains("usage_at_ms"))
                #expect(indexes.contains("actions_at_ms"))
                #expect(indexes.contains("open_grants_at_ms"))
            }
            // Reopening an existing journal works and keeps the version.
            try SQLiteJournal(path: path, options: JournalFixtures.options(), logger: Logger(label: "test")).close()
            #expect(try JournalFixtures.count("grdb_migrations", in: path) == 3)
        }

        @Test("a new journal's directories are made 0700 and its file 0600")
        func permissions() throws {
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let path = directory.file("state/tokengate/u.sqlite")
            try SQLiteJournal(path: path, options: JournalFixtures.options(), logger: Logger(label: "test")).close()
            let attributes = try FileManager.default.attributesOfItem(atPath: directory.file("state/tokengate"))
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o700)
            let parent = try FileManager.default.attributesOfItem(atPath: directory.file("state"))
            #expect((parent[.posixPermissions] as? NSNumber)?.intValue == 0o700)
            let file = try FileManager.default.attributesOfItem(atPath: path)
            #expect((file[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        }

        @Test("the default path follows XDG_STATE_HOME, else HOME")
        func defaultPath() {
            #expect(
                JournalPath.resolve(explicit: nil, environment: ["XDG_STATE_HOME": "/s", "HOME": "/h"], home: "/x")
                    == "/s/tokengate/usage.sqlite"
            )
            #expect(
                JournalPath.resolve(explicit: nil, environment: ["XDG_STATE_HOME": "rel", "HOME": "/h"], home: "/x")
                    == "/h/.local/state/tokengate/usage.sqlite"
            )
            #expect(JournalPath.resolve(explicit: nil, environment: [:], home: "/x") == "/x/.local/state/tokengate/usage.sqlite")
            #expect(JournalPath.resolve(explicit: "/p/u.sqlite", environment: ["XDG_STATE_HOME": "/s"], home: "/x") == "/p/u.sqlite")
        }

        @Test("a full buffer drops the oldest events and counts them")
        func boundedBuffer() {
            let buffer = EventBuffer(capacity: 100)
            for index in 0..<250 { buffer.append(JournalFixtures.usage(at: Int64(index))) }
            #expect(buffer.count <= 100)
            #expect(buffer.droppedCount == UInt64(250 - buffer.count))
            let kept = buffer.drain()
            guard case .usage(let last) = kept.last, case .usage(let first) = kept.first else {
                Issue.record("expected usage events")
                return
            }
            #expect(last.wallMilliseconds == 249)
            #expect(first.wallMilliseconds == Int64(250 - kept.count))
            buffer.requeue(kept)
            buffer.append(JournalFixtures.usage(at: 250))
            #expect(buffer.count <= 100)
        }
    }
}
