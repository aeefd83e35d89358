/// Contract v2: how urgent an acquire is. `high` goes before `normal` (the default) before `low`,
/// first come first served within one priority; a waiter rises one priority for every aging
/// interval it has waited (Status `priority_aging_ms`), so low is never starved.
public enum PriorityName: String, Sendable, Hashable, CaseIterable, Codable {
    case high, normal, low
}
