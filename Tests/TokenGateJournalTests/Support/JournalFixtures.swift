import Foundation
import GRDB
import Logging
import TokenGateCore

@testable import TokenGateJournal

enum JournalFixtures {
    /// Now, in Unix milliseconds.
    static func now() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    static func usage(
        at milliseconds: Int64, worker: String = "w1", input: Int64 = 10, output: Int64 = 5, cacheCreation: Int64 = 0,
        cacheRead: Int64 = 0, ticket: String? = nil, model: String? = nil, pool: String? = nil
    ) -> JournalEvent {
        .usage(JournalUsage(
            wallMilliseconds: milliseconds, worker: worker, ticket: ticket, input: input, output: output,
            cacheCreation: cacheCreation, cacheRead: cacheRead, model: model, pool: pool
        ))
    }

    static func action(
        _ kind: JournalAction.Kind, at milliseconds: Int64, detail: String = "", pool: String? = nil
    ) -> JournalEvent {
        .action(JournalAction(wallMilliseconds: milliseconds, kind: kind, actor: "operator", detail: detail, pool: pool))
    }

    /// Options for tests: a long commit interval unless asked, so that only `flush()` writes.
    static func options(
        commitInterval: TimeSpan = .seconds(3600), retention: TimeSpan = .seconds(7 * 86_400),
        pruneInterval: TimeSpan = .seconds(3600), bufferCapacity: Int = 100_000, busyTimeout: TimeSpan = .milliseconds(200),
        retryInterval: TimeSpan = .milliseconds(20)
    ) -> SQLiteJournal.Options {
        var options = SQLiteJournal.Options()
        options.commitInterval = commitInterval
        options.retention = retention
        options.pruneInterval = pruneInterval
        options.bufferCapacity = bufferCapacity
        options.busyTimeout = busyTimeout
        options.retryInterval = retryInterval
        return options
    }

    /// A second, independent connection to a journal file.
    static func reader(_ path: String) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.busyMode = .timeout(2)
        return try DatabaseQueue(path: path, configuration: configuration)
    }

    /// A connection that may hold a transaction open across accesses, to lock a journal.
    static func locker(_ path: String) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.allowsUnsafeTransactions = true
        return try DatabaseQueue(path: path, configuration: configuration)
    }

    /// Rows in a table, read through a second connection.
    static func count(_ table: String, in path: String) throws -> Int {
        try reader(path).read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? -1 }
    }

    /// Polls `condition` every 10 ms for up to `timeout` seconds.
    static func eventually(timeout: Double = 5, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        repeat {
            if try condition() { return true }
            usleep(10_000)
        } while Date() < deadline
        return try condition()
    }
}

/// A log handler that keeps every message, to check what the journal logs and how often.
final class CapturedLog: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [(level: Logger.Level, message: String)] = []

    var logger: Logger {
        Logger(label: "test") { _ in CapturingHandler(log: self) }
    }

    func record(_ level: Logger.Level, _ message: String) {
        lock.lock()
        entries.append((level, message))
        lock.unlock()
    }

    /// How many messages containing `text` were logged at `level`.
    func count(_ level: Logger.Level, containing text: String) -> Int {
        lock.lock()
        defer { lock.unlock() }
        return entries.filter { $0.level == level && $0.message.contains(text) }.count
    }
}

struct CapturingHandler: LogHandler {
    let log: CapturedLog
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        log.record(event.level, "\(event.message)")
    }
}
