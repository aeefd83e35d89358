/// Addition to contract v2: the window's fill over the last seconds, one entry per second, oldest
/// first, the last one the second the snapshot was taken in. Only in the first snapshot of a
/// `subscribe` that asked for it (`"history": true`), so a dashboard that attaches can draw what
/// it missed; at most one window's worth of seconds (and at most ``maxSeconds``).
public struct HistoryStatus: Codable, Sendable, Equatable {
    /// The most seconds a history carries, whatever the window.
    public static let maxSeconds = 900
    /// The length of one entry in milliseconds (1000).
    public var stepMs: Int64
    /// Per second: `used` (the `tokens` budget) at the second's busiest moment, the one with the
    /// highest used + reserved the daemon sampled.
    public var used: [Int64]
    /// Per second: `reserved` at that same moment.
    public var reserved: [Int64]

    public init(stepMs: Int64 = 1000, used: [Int64], reserved: [Int64]) {
        self.stepMs = stepMs
        self.used = used
        self.reserved = reserved
    }

    enum CodingKeys: String, CodingKey {
        case stepMs = "step_ms"
        case used, reserved
    }
}
