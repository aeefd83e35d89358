/// Bounds on what the decoder accepts from the server, so that a broken or hostile peer gets an
/// error rather than unbounded memory: nothing is allocated from a declared length before the
/// bytes have arrived, and a reply may not buffer more than ``maximumReplyBytes``.
public struct RESPLimits: Sendable, Hashable {
    /// The longest bulk string (bytes).
    public var maximumBulkLength: Int
    /// The most elements in one array, set, push or map (a map's pairs count twice).
    public var maximumAggregateLength: Int
    /// The deepest nesting of aggregates (a flat array is depth 1).
    public var maximumDepth: Int
    /// The longest simple line (simple string, error, number), without its CRLF.
    public var maximumLineLength: Int
    /// The most bytes one reply may take while still incomplete.
    public var maximumReplyBytes: Int

    /// Limits; the defaults fit the gate's replies with a wide margin.
    public init(
        maximumBulkLength: Int = 8 << 20, maximumAggregateLength: Int = 1 << 20, maximumDepth: Int = 16,
        maximumLineLength: Int = 64 << 10, maximumReplyBytes: Int = 32 << 20
    ) {
        self.maximumBulkLength = maximumBulkLength
        self.maximumAggregateLength = maximumAggregateLength
        self.maximumDepth = maximumDepth
        self.maximumLineLength = maximumLineLength
        self.maximumReplyBytes = maximumReplyBytes
    }
}
