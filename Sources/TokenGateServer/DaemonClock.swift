import Foundation
import NIOCore
import TokenGateCore

/// The daemon's clocks: a monotonic one for the gate and its timers (NIO's uptime clock), and the
/// wall clock for figures shown to people.
struct DaemonClock: Sendable {
    /// Now on the monotonic clock the gate runs on.
    func now() -> Instant { Instant(nanoseconds: Int64(clamping: NIODeadline.now().uptimeNanoseconds)) }

    /// The NIO deadline of a gate instant.
    func deadline(of instant: Instant) -> NIODeadline {
        .uptimeNanoseconds(UInt64(clamping: max(0, instant.nanoseconds)))
    }

    /// Milliseconds since the Unix epoch of a gate instant.
    func epochMilliseconds(of instant: Instant) -> Int64 {
        let wallNow = Int64(Date().timeIntervalSince1970 * 1000)
        return wallNow + (instant - now()).milliseconds
    }
}
