/// The limit change the dashboard's confirm line proposes: `+` or `-` opens it at the limit in
/// force, each further `+` or `-` moves it by the same step (10 % of the limit when the line
/// opened, so `+` then `-` comes back exactly), Enter applies it, Esc drops it.
public struct LimitProposal: Sendable, Equatable {
    /// The limit when the line opened.
    public let current: Int64
    /// 10 % of `current`, at least 1.
    public let step: Int64
    /// What Enter would set: at least 1, at most 2^53-1.
    public private(set) var proposed: Int64
    /// The pool whose limit it changes (`nil`: the daemon's only one); the confirm line names it.
    public let pool: String?

    /// The largest limit the protocol carries.
    static let maximum: Int64 = 9_007_199_254_740_991

    /// A line opened at `current`, already one step up or down.
    public init(current: Int64, up: Bool, pool: String? = nil) {
        self.current = current
        self.pool = pool
        self.step = max(1, Int64((Double(current) * 0.1).rounded()))
        self.proposed = current
        move(up: up)
    }

    /// One step up or down.
    public mutating func move(up: Bool) {
        proposed = up ? min(Self.maximum, proposed + min(step, Self.maximum - proposed)) : max(1, proposed - step)
    }
}
