import TokenGateCore
import TokenGateRedis

/// What this host holds in the organisation's shared windows, by shared id: its open tickets'
/// reservations and its usage, each with when it was granted (usage without a reservation: when
/// it was reported) by this host's clock. When Redis restarted empty they are put back at their
/// ages (`tg_seed`), so that the window Redis counts after the restart still holds what was
/// granted before it.
struct SharedBooks {
    struct Entry {
        var pool: Int
        var isUsage: Bool
        var since: Instant
        var amounts: SharedAmounts
    }

    private(set) var entries: [String: Entry] = [:]

    /// A grant's reservation.
    mutating func reserved(_ id: String, pool: Int, amounts: SharedAmounts, at now: Instant) {
        entries[id] = Entry(pool: pool, isUsage: false, since: now, amounts: amounts)
    }

    /// A report: the usage replaces the reservation (granted when it was), or counts from now.
    mutating func used(_ id: String, pool: Int, amounts: SharedAmounts, at now: Instant) {
        let since = entries[id]?.since ?? now
        entries[id] = Entry(pool: pool, isUsage: true, since: since, amounts: amounts)
    }

    /// A reservation given back.
    mutating func released(_ id: String) {
        entries[id] = nil
    }

    /// Forgets what slid out of its pool's window (`span`: window + send margin) by `now`.
    mutating func prune(now: Instant, span: (Int) -> TimeSpan) {
        entries = entries.filter { now < $0.value.since + span($0.value.pool) }
    }

    /// Per pool, what to put back into Redis now, in chunks of at most `chunk` entries.
    func seeds(now: Instant, chunk: Int = 500) -> [(pool: Int, entries: [SharedSeed])] {
        let byPool = Dictionary(grouping: entries, by: \.value.pool)
        return byPool.keys.sorted().flatMap { pool in
            let seeds = (byPool[pool] ?? []).sorted { $0.value.since < $1.value.since }.map { id, entry in
                SharedSeed(
                    id: id, isUsage: entry.isUsage, ageMicroseconds: max(0, (now - entry.since).nanoseconds / 1000),
                    amounts: entry.amounts
                )
            }
            return stride(from: 0, to: seeds.count, by: chunk).map { start in
                (pool, Array(seeds[start..<min(start + chunk, seeds.count)]))
            }
        }
    }
}
