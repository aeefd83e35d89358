import Foundation
import TokenGateTestSupport

/// Clients sending `report` requests back to back (each waits for its reply), until stopped or
/// until their connection dies. Records when each acknowledgement arrived.
final class ReportLoad: @unchecked Sendable {
    let input: Int64
    let output: Int64
    private let lock = NSLock()
    private var acknowledged: [UInt64] = []  // uptime nanoseconds of each reply, guarded by lock
    private var sent = 0  // guarded by lock
    private var stopping = false  // guarded by lock
    private let finished = DispatchGroup()

    /// Starts `clients` connections to `socket`, each reporting `input`/`output` per request,
    /// pausing `pause` seconds between requests.
    init(socket: String, clients: Int, input: Int64, output: Int64, pause: Double) throws {
        self.input = input
        self.output = output
        let connections = try (0..<clients).map { _ in try LineClient(path: socket) }
        for (index, client) in connections.enumerated() {
            finished.enter()
            Thread.detachNewThread { [self] in
                defer { finished.leave() }
                let line = #"{"op":"report","input":\#(input),"output":\#(output),"worker":"load-\#(index)"}"#
                while !isStopping {
                    lock.lock()
                    sent += 1
                    lock.unlock()
                    guard (try? client.send(line)) != nil, (try? client.readLine(timeout: 5)) != nil else { return }
                    let at = DispatchTime.now().uptimeNanoseconds
                    lock.lock()
                    acknowledged.append(at)
                    lock.unlock()
                    if pause > 0 { usleep(UInt32(pause * 1_000_000)) }
                }
            }
        }
    }

    private var isStopping: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopping
    }

    /// Stops every client and waits for them.
    func stop() {
        lock.lock()
        stopping = true
        lock.unlock()
        _ = finished.wait(timeout: .now() + 10)
    }

    /// Reports sent (acknowledged or not).
    var sentCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return sent
    }

    /// Reports acknowledged before `uptime` (nanoseconds, `DispatchTime` clock).
    func acknowledged(before uptime: UInt64) -> Int {
        lock.lock()
        defer { lock.unlock() }
        return acknowledged.filter { $0 < uptime }.count
    }

    /// Reports acknowledged in all.
    var acknowledgedCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return acknowledged.count
    }
}
