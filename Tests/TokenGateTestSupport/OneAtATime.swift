import Testing

/// The parent of every suite that starts processes (daemons, tmux, redis-server) or measures real
/// time. It is `.serialized`, which swift-testing applies to everything nested in it, so these
/// suites run one at a time, one test after another, while the unit suites run in parallel beside
/// them. A suite joins it by being declared in `extension OneAtATime { ... }`.
@Suite("One at a time: processes and real time", .serialized)
public enum OneAtATime {}
