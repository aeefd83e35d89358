import Foundation
import TokenGateTestSupport

/// A small tmpfs mounted for a test (root only), to fill a disk for real.
enum Tmpfs {
    /// Whether this process can mount a tmpfs (root, and the sandbox allows it).
    static let available: Bool = {
        guard geteuid() == 0, let directory = try? TemporaryDirectory() else { return false }
        defer { directory.remove() }
        let point = directory.file("probe")
        guard mkdir(point, 0o700) == 0, mount(at: point, kilobytes: 64) else { return false }
        unmount(point)
        return true
    }()

    /// Mounts a tmpfs of `kilobytes` at `point`; returns whether it did.
    @discardableResult
    static func mount(at point: String, kilobytes: Int) -> Bool {
        run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(kilobytes)k,mode=0755", "tmpfs", point]) == 0
    }

    /// Unmounts `point` (lazily, so that it never fails on a busy file).
    static func unmount(_ point: String) {
        _ = run("/bin/umount", ["-l", point])
    }

    private static func run(_ executable: String, _ arguments: [String]) -> Int32 {
        (try? CommandRun.runBlocking(executable, arguments))?.status ?? -1
    }

    /// Writes a file at `path` until the file system is full; returns the bytes written.
    static func fill(_ path: String) -> Int {
        let descriptor = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0o600)
        guard descriptor >= 0 else { return 0 }
        defer { close(descriptor) }
        let chunk = [UInt8](repeating: 0x55, count: 4096)
        var total = 0
        while true {
            let written = chunk.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            guard written > 0 else { break }
            total += written
        }
        return total
    }
}
