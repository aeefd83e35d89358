import Foundation
import Logging
import Testing
import TokenGateCore
import TokenGateTestSupport
import TokenGateWire

@testable import TokenGateJournal

@Suite("History")
struct HistoryTests {
    /// 2026-11-20T14:03:00Z.
    static let minute: Int64 = 1_795_183_380_000

    /// A journal with three workers over two minutes, and one record before the period.
    private func history(in directory: TemporaryDirectory) throws -> UsageHistory {
        let path = directory.file("u.sqlite")
        let journal = try SQLiteJournal(
            path: path, options: JournalFixtures.options(retention: .seconds(1e9)), logger: Logger(label: "test")
        )
        let minute = Self.minute
        journal.append(JournalFixtures.usage(at: minute - 120_000, worker: "before", input: 1_000_000, output: 0))
        journal.append(JournalFixtures.usage(at: minute + 1_000, worker: "crawler-1", input: 100, output: 20, cacheCreation: 5))
        journal.append(JournalFixtures.usage(at: minute + 2_000, worker: "crawler-1", input: 200, output: 30, cacheRead: 7))
        journal.append(JournalFixtures.usage(at: minute + 61_000, worker: "eval,\"7\"", input: 1, output: 1))
        journal.append(JournalFixtures.usage(at: minute + 62_000, worker: "agent", input: 50, output: 50))
        journal.close()
        return try UsageHistory(path: path)
    }

    @Test("totals by worker, largest first, from the start of the period")
    func byWorker() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let report = try history(in: directory).report(since: Self.minute, by: .worker)
        #expect(report.rows.map(\.key) == [.worker("crawler-1"), .worker("agent"), .worker("eval,\"7\"")])
        #expect(report.rows[0].totals == HistoryTotals(requests: 2, input: 300, output: 50, cacheCreation: 5, cacheRead: 7))
        #expect(report.rows[0].totals.tokens == 355)
        #expect(report.total == HistoryTotals(requests: 4, input: 351, output: 101, cacheCreation: 5, cacheRead: 7))
    }

    @Test("totals by minute, oldest first")
    func byMinute() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let report = try history(in: directory).report(since: Self.minute - 180_000, by: .minute)
        #expect(report.rows.map(\.key) == [.minute(Self.minute - 120_000), .minute(Self.minute), .minute(Self.minute + 60_000)])
        #expect(report.rows[1].totals.requests == 2)
        #expect(report.rows[2].totals.tokens == 102)
    }

    @Test("the table aligns columns and ends with a total")
    func table() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let history = try history(in: directory)
        let report = try history.report(since: Self.minute, by: .worker)
        let text = HistoryFormat.table.render(report, timeZone: try #require(TimeZone(identifier: "UTC")))
        #expect(
            text == """
                WORKER     REQUESTS  INPUT  OUTPUT  CACHE_CREATION  CACHE_READ  TOKENS
                crawler-1         2    300      50               5           7     355
                agent             1     50      50               0           0     100
                eval,"7"          1      1       1               0           0       2
                total             4    351     101               5           7     457

                """
        )
        let minutes = try history.report(since: Self.minute, by: .minute)
        let minuteText = HistoryFormat.table.render(minutes, timeZone: try #require(TimeZone(identifier: "UTC")))
        #expect(minuteText.hasPrefix("MINUTE            REQUESTS"))
        #expect(minuteText.contains("\n2026-11-20 14:03         2"))
        let empty = HistoryReport(sinceMilliseconds: Self.minute, grouping: .worker, rows: [])
        #expect(
            HistoryFormat.table.render(empty, timeZone: try #require(TimeZone(identifier: "UTC")))
                == "no usage recorded since 2026-11-20 14:03\n"
        )
    }

    @Test("CSV has a header, quotes what needs it, and UTC minutes")
    func csv() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let history = try history(in: directory)
        #expect(
            HistoryFormat.csv.render(try history.report(since: Self.minute, by: .worker)) == #"""
                worker,requests,input,output,cache_creation,cache_read,tokens
                crawler-1,2,300,50,5,7,355
                agent,1,50,50,0,0,100
                "eval,""7""",1,1,1,0,0,2

                """#
        )
        let minutes = HistoryFormat.csv.render(try history.report(since: Self.minute, by: .minute))
        #expect(minutes.split(separator: "\n").dropFirst().first == "2026-11-20T14:03:00Z,2,300,50,5,7,355")
    }

    @Test("JSON is one object with since, by, rows and total")
    func json() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let history = try history(in: directory)
        let text = HistoryFormat.json.render(try history.report(since: Self.minute, by: .minute))
        #expect(text.hasSuffix("}\n"))
        let value = try JSONValue.parse(text.trimmingCharacters(in: .newlines))
        let object = try #require(value.objectValue)
        #expect(object.keys == ["since", "since_ms", "by", "rows", "total"])
        #expect(object["by"] == "minute")
        #expect(object["since"] == "2026-11-20T14:03:00Z")
        let rows = try #require(object["rows"]?.arrayValue)
        #expect(rows.count == 2)
        let first = try #require(rows.first?.objectValue)
        #expect(first.keys == [
            "minute", "minute_ms", "requests", "input", "output", "cache_creation", "cache_read", "tokens",
        ])
        #expect(first["tokens"] == 355)
        #expect(object["total"]?["requests"] == 4)
        let byWorker = HistoryFormat.json.render(try history.report(since: Self.minute, by: .worker))
        let firstWorker = try JSONValue.parse(byWorker.trimmingCharacters(in: .newlines))["rows"]?.arrayValue?.first
        #expect(firstWorker?["worker"] == "crawler-1")
    }

    @Test("history reads a journal while its daemon writes it")
    func readsWhileWriting() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("u.sqlite")
        let journal = try SQLiteJournal(
            path: path, options: JournalFixtures.options(commitInterval: .milliseconds(10)), logger: Logger(label: "test")
        )
        defer { journal.close() }
        let history = try UsageHistory(path: path)
        let now = JournalFixtures.now()
        for round in 1...5 {
            for _ in 0..<100 { journal.append(JournalFixtures.usage(at: now)) }
            let seen = try JournalFixtures.eventually {
                try history.report(since: now - 1000, by: .worker).total.requests == Int64(round * 100)
            }
            #expect(seen)
        }
    }

    @Test("no journal at the path is a clear error")
    func missing() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        #expect {
            _ = try UsageHistory(path: directory.file("none.sqlite"))
        } throws: { error in
            (error as? JournalFault)?.kind == .missing && "\(error)".contains("no journal at \(directory.file("none.sqlite"))")
        }
        #expect(!FileManager.default.fileExists(atPath: directory.file("none.sqlite")))
    }

    @Test("durations take a number and a unit", arguments: [
        ("90s", Int64(90_000)), ("15m", 900_000), ("1h", 3_600_000), ("2d", 172_800_000), ("1h30m", 5_400_000),
        ("250ms", 250), ("1.5h", 5_400_000),
    ])
    func durations(text: String, milliseconds: Int64) {
        #expect(HistoryDuration.milliseconds(text) == milliseconds)
    }

    @Test("bad durations are refused", arguments: ["", "5", "h", "1x", "-1h", "1h-", "0s", "1 h", "1e3s"])
    func badDurations(text: String) {
        #expect(HistoryDuration.milliseconds(text) == nil)
    }
}
