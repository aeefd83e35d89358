import Foundation
import GRDB
import Logging
import Testing
import TokenGateTestSupport
import TokenGateCore
import TokenGateWire

@testable import TokenGateJournal

extension OneAtATime {
    /// `tokengate history --by pool`: the usage of each pool over the period, from the pool each
    /// report counted in.
    @Suite("History by pool")
    struct HistoryPoolTests {
        /// 2026-11-20T14:03:00Z.
        static let minute: Int64 = 1_795_183_380_000

        @Test("totals by pool, largest first; reports without a pool count in default")
        func byPool() throws {
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let path = directory.file("u.sqlite")
            let journal = try SQLiteJournal(
                path: path, options: JournalFixtures.options(retention: .seconds(1e9)), logger: Logger(label: "test")
            )
            let minute = Self.minute
            journal.append(JournalFixtures.usage(at: minute - 60_000, input: 1_000_000, output: 0, pool: "sonnet"))
            journal.append(JournalFixtures.usage(at: minute + 1_000, input: 400, output: 40, pool: "opus"))
            journal.append(JournalFixtures.usage(at: minute + 2_000, input: 600, output: 60, cacheRead: 9, pool: "opus"))
            journal.append(JournalFixtures.usage(at: minute + 3_000, input: 70, output: 7, pool: "sonnet"))
            journal.append(JournalFixtures.usage(at: minute + 4_000, input: 5, output: 1))
            journal.append(JournalFixtures.usage(at: minute + 5_000, input: 8, output: 2, pool: "default"))
            journal.close()

            let report = try UsageHistory(path: path).report(since: minute, by: .pool)
            #expect(report.rows.map(\.key) == [.pool("opus"), .pool("sonnet"), .pool("default")])
            #expect(report.rows[0].totals == HistoryTotals(requests: 2, input: 1000, output: 100, cacheRead: 9))
            #expect(report.rows[2].totals == HistoryTotals(requests: 2, input: 13, output: 3))
            let utc = try #require(TimeZone(identifier: "UTC"))
            let table = HistoryFormat.table.render(report, timeZone: utc)
            #expect(table.hasPrefix("POOL     REQUESTS  INPUT  OUTPUT"), "\(table)")
            #expect(table.contains("\nopus            2   1000     100"), "\(table)")
            #expect(HistoryFormat.csv.render(report).hasPrefix("pool,requests,input,output,cache_creation,cache_read,tokens\nopus,2,1000,100,0,9,1100\n"))
            let json = try JSONValue.parse(HistoryFormat.json.render(report).trimmingCharacters(in: .newlines))
            #expect(json["by"] == "pool")
            let rows = json["rows"]?.arrayValue ?? []
            #expect(rows.first?["pool"] == "opus")
            #expect(rows.count == 3 && rows[1]["tokens"] == 77)
        }

        @Test("a journal from before pools were journaled reads by pool as all default")
        func journalBeforePools() throws {
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let path = directory.file("u.sqlite")
            let old = try DatabaseQueue(path: path)
            try JournalSchema.migrator.migrate(old, upTo: "v2")
            try old.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO usage(at_ms, worker, ticket, input, output, cache_creation, cache_read, model)
                        VALUES (?, 'w', NULL, 30, 4, 0, 0, 'claude-opus-4'), (?, 'w', NULL, 10, 1, 0, 0, NULL)
                        """,
                    arguments: [Self.minute, Self.minute + 1]
                )
            }
            try old.close()
            let report = try UsageHistory(path: path).report(since: Self.minute, by: .pool)
            #expect(report.rows == [HistoryRow(key: .pool("default"), totals: HistoryTotals(requests: 2, input: 40, output: 5))])
        }

        @Test("the real binary: tokengate history --by pool shows the pool each report counted in")
        func realDaemon() throws {
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let state = directory.file("u.sqlite")
            let socket = directory.file("s.sock")
            let arguments = [
                "--state", state, "--window", "30", "--limit", "100000", "--log-level", "warning",
                "--pool", "opus:models=claude-opus-*,limit=50000", "--pool", "haiku:models=claude-haiku-*,limit=50000",
            ]
            try DaemonProcess.withBlocking(socket: socket, arguments: arguments, directory: directory, logName: "d.log") { daemon in
                let client = try daemon.client()
                // By model, by pool name, by ticket (its pool wins over the report's model), and default.
                #expect(try client.request(#"{"op":"report","input":300,"output":20,"model":"claude-opus-4-1"}"#)["ok"] == true)
                #expect(try client.request(#"{"op":"report","input":50,"output":5,"pool":"haiku"}"#)["ok"] == true)
                let ticket = try #require(
                    try client.request(#"{"op":"acquire","tokens":100,"model":"claude-haiku-3"}"#)["ticket"]?.stringValue
                )
                #expect(try client.request(#"{"op":"report","ticket":"\#(ticket)","input":40,"output":4}"#)["ok"] == true)
                #expect(try client.request(#"{"op":"report","input":7,"output":1,"model":"gpt-5"}"#)["ok"] == true)
                let flushed = try JournalFixtures.eventually { try JournalFixtures.count("usage", in: state) == 4 }
                #expect(flushed)
                let run = try CommandRun.tokengateBlocking(["history", "--state", state, "--since", "5m", "--by", "pool", "--format", "json"])
                #expect(run.status == 0, "\(run.stderr)")
                let report = try JSONValue.parse(run.stdout.trimmingCharacters(in: .newlines))
                let rows = report["rows"]?.arrayValue ?? []
                let tokens = Dictionary(uniqueKeysWithValues: rows.compactMap { row in
                    row["pool"]?.stringValue.map { ($0, row["tokens"]?.int64Value ?? -1) }
                })
                #expect(tokens == ["opus": 320, "haiku": 99, "default": 8], "\(run.stdout)")
                let table = try CommandRun.tokengateBlocking(["history", "--state", state, "--since", "5m", "--by", "pool"])
                #expect(table.status == 0 && table.stdout.hasPrefix("POOL "), "\(table.stdout)")
            }
            let bad = try CommandRun.tokengateBlocking(["history", "--state", state, "--by", "model"])
            #expect(bad.status == 64 || bad.status == 2, "\(bad)")
            #expect(bad.stderr.contains("worker"), "\(bad.stderr)")
        }
    }
}
