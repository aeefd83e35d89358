import Foundation

/// One daemon per journal: an exclusive `flock` on `<journal>.lock`, held for the daemon's life
/// and released by the kernel when the process ends, however it ends. The file holds the owner's
/// pid, so a second daemon can say which one has the journal.
///
/// `tokengate history` reads the database without the lock.
final class JournalLock: @unchecked Sendable {
    /// The lock file.
    let path: String
    private var descriptor: Int32

    /// Takes the lock of the journal at `journalPath` without waiting, or throws a fault naming
    /// the daemon that holds it.
    init(journalPath: String) throws(JournalFault) {
        let path = journalPath + ".lock"
        let descriptor = Foundation.open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw JournalFault.system("create the journal's lock file", path: path, errno: errno) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let holder = Self.readPid(descriptor)
            Foundation.close(descriptor)
            let who = holder.map { "another daemon (pid \($0))" } ?? "another daemon"
            throw JournalFault(
                kind: .inUse,
                description: "journal \(journalPath) is in use by \(who); give this daemon its own --state PATH, "
                    + "or stop the other one"
            )
        }
        ftruncate(descriptor, 0)
        let pid = Array("\(getpid())\n".utf8)
        _ = pid.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        self.path = path
        self.descriptor = descriptor
    }

    /// Releases the lock (also done by the kernel when the process exits).
    func release() {
        guard descriptor >= 0 else { return }
        flock(descriptor, LOCK_UN)
        Foundation.close(descriptor)
        descriptor = -1
    }

    deinit { release() }

    private static func readPid(_ descriptor: Int32) -> Int32? {
        var bytes = [UInt8](repeating: 0, count: 32)
        let count = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        let text = String(decoding: bytes.prefix(count), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return Int32(text)
    }
}
