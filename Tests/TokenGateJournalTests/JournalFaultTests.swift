import Foundation
import GRDB
import Logging
import Testing
import TokenGateCore
import TokenGateTestSupport

@testable import TokenGateJournal

extension OneAtATime {
    @Suite("Journal faults")
    struct JournalFaultTests {
        private func open(_ path: String, options: SQLiteJournal.Options = JournalFixtures.options(), logger: Logger = Logger(label: "test")) throws -> SQLiteJournal {
            try SQLiteJournal(path: path, options: options, logger: logger)
        }

        @Test("an unwritable path (a file where a directory should be) is refused in one line")
        func unwritablePath() throws {
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            _ = FileManager.default.createFile(atPath: directory.file("file"), contents: Data("x".utf8))
            #expect {
                _ = try open(directory.file("file/state/u.sqlite"))
            } throws: { error in
                let fault = error as? JournalFault
                return fault?.kind == .unwritable && !"\(error)".contains("\n") && "\(error)".contains(directory.file("file"))
            }
        }

        @Test(
            "a read-only directory is refused in one line",
            .enabled(if: geteuid() != 0, "root writes anywhere: the real-binary test runs this as nobody")
        )
        func readOnlyDirectory() throws {
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let locked = directory.file("ro")
            try FileManager.default.createDirectory(atPath: locked, withIntermediateDirectories: false)
            chmod(locked, 0o500)
            #expect {
                _ = try open(locked + "/u.sqlite")
            } throws: { error in
                (error as? JournalFault)?.kind == .unwritable && "\(error)".contains(locked)
            }
        }

        @Test("a file that is not a database is refused in one line, and left as it was")
        func notADatabase() throws {
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let path = directory.file("u.sqlite")
            let content = Data(String(repeating: "these are my notes, not a database\n", count: 200).utf8)
            _ = FileManager.default.createFile(atPath: path, contents: content)
            #expect {
                _ = try open(path)
            } throws: { error in
                (error as? JournalFault)?.kind == .notADatabase
                    && "\(error)" == "\(path) is not a SQLite database: move it away or pass another --state"
            }
            #expect(FileManager.default.contents(atPath: path) == content)
        }

        @Test("a database whose write lock another connection holds is refused at start")
        func lockedAtStart() throws {
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let path = directory.file("u.sqlite")
            try open(path).close()
            let locker = try JournalFixtures.locker(path)
            try locker.writeWithoutTransaction { db in try db.execute(sql: "BEGIN IMMEDIATE") }
            defer { try? locker.writeWithoutTransaction { db in try db.execute(sql: "ROLLBACK") } }
            #expect {
                _ = try open(path)
            } throws: { error in
                (error as? JournalFault)?.kind == .locked && "\(error)".contains("locked by another process")
            }
        }

        @Test("a lock held while running degrades the journal, which catches up once released")
        func lockedWhileRunning() throws {
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let path = directory.file("u.sqlite")
            let log = CapturedLog()
            let journal = try open(
                path, options: JournalFixtures.options(commitInterval: .milliseconds(20), busyTimeout: .milliseconds(50)),
                logger: log.logger
            )
            defer { journal.close() }
            let locker = try JournalFixtures.locker(path)
            try locker.writeWithoutTransaction { db in try db.execute(sql: "BEGIN IMMEDIATE") }
            let now = JournalFixtures.now()
            for _ in 0..<10 { journal.append(JournalFixtures.usage(at: now)) }
            #expect(JournalFixtures.eventually { journal.degradedReason?.contains("locked") == true })
            usleep(300_000)
            try locker.writeWithoutTransaction { db in try db.execute(sql: "ROLLBACK") }
            #expect(JournalFixtures.eventually { journal.degradedReason == nil })
            #expect(try JournalFixtures.eventually { try JournalFixtures.count("usage", in: path) == 10 })
            #expect(log.count(.error, containing: "journal write failed") == 1)
            #expect(log.count(.notice, containing: "writable again") == 1)
        }

        @Test("a full disk degrades the journal: limiting goes on, memory stays bounded, it recovers by itself")
        func diskFull() throws {
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let path = directory.file("u.sqlite")
            let log = CapturedLog()
            let journal = try open(
                path, options: JournalFixtures.options(commitInterval: .milliseconds(20), bufferCapacity: 2000),
                logger: log.logger
            )
            defer { journal.close() }
            // SQLite answers SQLITE_FULL, as on a full disk, once the file would grow past its pages.
            try journal.store.withConnection { db in
                let pages = try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 1
                try db.execute(sql: "PRAGMA max_page_count = \(pages)")
            }
            let now = JournalFixtures.now()
            let start = Date()
            for index in 0..<10_000 {
                journal.append(JournalFixtures.usage(at: now + Int64(index), worker: "worker-with-a-longer-name-\(index)"))
                if index % 1000 == 0 { usleep(30_000) }
            }
            // append never waits for the disk.
            #expect(Date().timeIntervalSince(start) < 2)
            #expect(JournalFixtures.eventually { journal.degradedReason?.contains("disk is full") == true })
            #expect(journal.buffer.count <= 2000)
            #expect(journal.buffer.droppedCount >= 8000)
            #expect(journal.degradedReason?.contains("events dropped") == true)
            // Loud, but once per streak, however many retries.
            usleep(200_000)
            #expect(log.count(.error, containing: "journal write failed") == 1)
            #expect(log.count(.error, containing: "dropping the oldest") == 1)

            try journal.store.withConnection { db in try db.execute(sql: "PRAGMA max_page_count = 1073741823") }
            #expect(JournalFixtures.eventually { journal.degradedReason == nil })
            let kept = journal.buffer.droppedCount
            #expect(try JournalFixtures.eventually { try JournalFixtures.count("usage", in: path) == 10_000 - Int(kept) })
            // The newest events survived.
            let newest = try JournalFixtures.reader(path).read { db in try Int64.fetchOne(db, sql: "SELECT MAX(at_ms) FROM usage") }
            #expect(newest == now + 9_999)
            #expect(log.count(.notice, containing: "writable again") == 1)
        }

        @Test("every SQLite fault reads as one line naming the path")
        func classification() {
            let path = "/x/u.sqlite"
            let cases: [(ResultCode, JournalFault.Kind)] = [
                (.SQLITE_BUSY, .locked), (.SQLITE_LOCKED, .locked), (.SQLITE_NOTADB, .notADatabase), (.SQLITE_CORRUPT, .corrupt),
                (.SQLITE_FULL, .diskFull), (.SQLITE_READONLY, .unwritable), (.SQLITE_CANTOPEN, .unwritable),
                (.SQLITE_IOERR, .other),
            ]
            for (code, kind) in cases {
                let fault = JournalFault.classify(DatabaseError(resultCode: code, message: "detail"), path: path)
                #expect(fault.kind == kind)
                #expect(fault.description.contains(path))
                #expect(!fault.description.contains("\n"))
            }
        }
    }
}
