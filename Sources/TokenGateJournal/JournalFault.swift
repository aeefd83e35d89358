import Foundation
import GRDB

/// Why the journal cannot be opened or written, as one line a person can act on.
public struct JournalFault: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of fault it is.
    public enum Kind: String, Sendable, Equatable {
        /// The path or its directory cannot be created or written.
        case unwritable
        /// Another process holds the database's write lock.
        case locked
        /// Another daemon holds the journal (its `.lock` file).
        case inUse
        /// The file exists but is not a SQLite database.
        case notADatabase
        /// The file is a SQLite database whose content is damaged.
        case corrupt
        /// The disk (or the database's size limit) is full.
        case diskFull
        /// No journal at the path (`tokengate history`).
        case missing
        /// Anything else SQLite or the file system reported.
        case other
    }

    /// What kind of fault it is.
    public let kind: Kind
    /// The one-line message.
    public let description: String

    /// A fault of `kind` that reads as `description`.
    public init(kind: Kind, description: String) {
        self.kind = kind
        self.description = description
    }

    /// Reads an error thrown while opening or writing the journal at `path`.
    static func classify(_ error: any Error, path: String) -> JournalFault {
        if let fault = error as? JournalFault { return fault }
        guard let database = error as? DatabaseError else {
            return JournalFault(kind: .other, description: "journal \(path): \(error)")
        }
        let detail = database.message ?? "\(database.resultCode)"
        switch database.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return JournalFault(
                kind: .locked, description: "journal \(path) is locked by another process (is another daemon using it?)"
            )
        case .SQLITE_NOTADB:
            return JournalFault(
                kind: .notADatabase, description: "\(path) is not a SQLite database: move it away or pass another --state"
            )
        case .SQLITE_CORRUPT:
            return JournalFault(
                kind: .corrupt, description: "journal \(path) is corrupted (\(detail)): move it away or pass another --state"
            )
        case .SQLITE_FULL:
            return JournalFault(kind: .diskFull, description: "journal \(path): the disk is full")
        case .SQLITE_READONLY, .SQLITE_PERM:
            return JournalFault(kind: .unwritable, description: "journal \(path) is not writable (\(detail))")
        case .SQLITE_CANTOPEN:
            return JournalFault(
                kind: .unwritable, description: "cannot open journal \(path): its directory is missing or not writable"
            )
        case .SQLITE_IOERR:
            return JournalFault(kind: .other, description: "journal \(path): I/O error (\(detail))")
        default:
            return JournalFault(kind: .other, description: "journal \(path): \(detail)")
        }
    }

    /// The file system refused `operation` on `path` with `errno`.
    static func system(_ operation: String, path: String, errno code: Int32) -> JournalFault {
        let reason = String(cString: strerror(code))
        let kind: Kind = code == ENOSPC ? .diskFull : .unwritable
        return JournalFault(kind: kind, description: "cannot \(operation) \(path): \(reason)")
    }
}
