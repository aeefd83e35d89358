/// Contract v2: which pool a request is about. `pool` names it; else `model` is matched against
/// the pools' globs; with neither, the request is about the pool `default`. Carried by `acquire`,
/// `report`, `throttled`, `observe`, `pause`, `resume` and `set_limit` (the ops that take them).
public struct PoolTarget: Sendable, Equatable {
    /// The model the request goes to (any string up to `WireLimits.maxModelLength`); a report's
    /// model travels in `Request.Report.model` instead.
    public var model: String?
    /// The pool by name; wins over `model`.
    public var pool: String?

    public init(model: String? = nil, pool: String? = nil) {
        self.model = model
        self.pool = pool
    }

    /// No pool named and no model: the pool `default` (for `pause` and `resume`: every pool).
    public static let unspecified = PoolTarget()

    /// Whether neither field is given.
    public var isUnspecified: Bool { model == nil && pool == nil }

    /// The ops that carry a target.
    static let operations: Set<Request.Operation.Name> = [.acquire, .report, .throttled, .observe, .pause, .resume, .setLimit]
}
