/// One limit per model class: a `Gate` per pool, each with its own window, queue, reservations,
/// cooldown and provider feedback, and the rule that sends a request to its pool.
///
/// The pool `default` holds the top-level limits and takes every model no pool names. Declared
/// pools are matched in declaration order, by their model globs. The gates number their tickets
/// and waiters in one shared space (`IdentifierSpace`), so a ticket alone says which pool it
/// belongs to. Like `Gate`, a pure value: every call takes `now`.
public struct PoolSet: Sendable {
    /// One pool: its name, its globs and its gate.
    public struct Pool: Sendable {
        public let name: String
        public let models: [ModelGlob]
        public internal(set) var gate: Gate
    }

    /// What a pool is declared with.
    public struct Declaration: Hashable, Sendable {
        public var name: String
        public var models: [ModelGlob]
        public var configuration: GateConfiguration

        public init(name: String, models: [ModelGlob], configuration: GateConfiguration) {
            self.name = name
            self.models = models
            self.configuration = configuration
        }
    }

    /// The name of the top-level limits' pool.
    public static let defaultName = "default"

    /// `default` first, then the declared pools in declaration order.
    public private(set) var pools: [Pool]

    /// The pool `default` alone.
    public init(default defaultConfiguration: GateConfiguration) {
        pools = [Pool(name: Self.defaultName, models: [], gate: Gate(configuration: defaultConfiguration))]
    }

    /// `default` from `defaultConfiguration`, then `declarations` (checked: names, globs, and no
    /// glob that an earlier one covers).
    public init(default defaultConfiguration: GateConfiguration, declarations: [Declaration]) throws(PoolError) {
        try Self.check(declarations)
        let count = declarations.count + 1
        var pools = [Pool(
            name: Self.defaultName, models: [],
            gate: Gate(configuration: defaultConfiguration, identifiers: IdentifierSpace(index: 0, count: count))
        )]
        for (offset, declaration) in declarations.enumerated() {
            pools.append(Pool(
                name: declaration.name, models: declaration.models,
                gate: Gate(configuration: declaration.configuration, identifiers: IdentifierSpace(index: offset + 1, count: count))
            ))
        }
        self.pools = pools
    }

    /// The pool names, `default` first.
    public var names: [String] { pools.map(\.name) }

    /// The pool a request goes to: `pool` when given (unknown: an error), else the first declared
    /// pool with a glob matching `model`, else `default`.
    public func route(model: String?, pool: String?) throws(PoolError) -> Int {
        if let pool {
            guard let index = pools.firstIndex(where: { $0.name == pool }) else {
                throw .unknownPool(pool, known: names)
            }
            return index
        }
        guard let model else { return 0 }
        return pools.indices.dropFirst().first { index in pools[index].models.contains { $0.matches(model) } } ?? 0
    }

    /// The pool of a pool's name; nil when there is no such pool.
    public func index(named name: String) -> Int? { pools.firstIndex { $0.name == name } }

    /// The pool whose gate granted `ticket`.
    public func pool(of ticket: TicketID) -> Int { pools[0].gate.identifiers.index(of: ticket.rawValue) }

    /// The pool whose gate queued `waiter`.
    public func pool(of waiter: WaiterID) -> Int { pools[0].gate.identifiers.index(of: waiter.rawValue) }

    /// The gate of pool `index`.
    public func gate(_ index: Int) -> Gate { pools[index].gate }

    /// The gate of pool `index`, to read or change in place.
    public subscript(pool index: Int) -> Gate {
        get { pools[index].gate }
        _modify { yield &pools[index].gate }
    }

    // MARK: Every pool

    /// Brings every pool to `now`.
    public mutating func advance(to now: Instant) {
        for index in pools.indices { pools[index].gate.advance(to: now) }
    }

    /// The earliest wake-up of any pool.
    public func nextWakeUp(now: Instant) -> Instant? {
        pools.compactMap { $0.gate.nextWakeUp(now: now) }.min()
    }

    /// The outcomes every pool resolved since the last call, pool by pool.
    public mutating func takeOutcomes() -> [WaiterOutcome] {
        var outcomes: [WaiterOutcome] = []
        for index in pools.indices where pools[index].gate.hasOutcomes {
            outcomes += pools[index].gate.takeOutcomes()
        }
        return outcomes
    }

    /// Drops every waiter of `owner` and releases its tickets, in every pool.
    @discardableResult
    public mutating func withdraw(owner: OwnerID, now: Instant) -> Withdrawal {
        var total = Withdrawal(waitersDropped: [], ticketsReleased: [])
        for index in pools.indices {
            let withdrawal = pools[index].gate.withdraw(owner: owner, now: now)
            total.waitersDropped += withdrawal.waitersDropped
            total.ticketsReleased += withdrawal.ticketsReleased
        }
        return total
    }

    /// Settles a ticket in the pool that granted it. Usage without a ticket, or with one no
    /// pool holds, counts in pool `fallback` (the pool of the request's model).
    @discardableResult
    public mutating func settle(ticket: TicketID?, usage: Usage, worker: String? = nil, fallback: Int, now: Instant) -> SettleResult {
        pools[settlingPool(ticket: ticket, fallback: fallback)].gate.settle(ticket: ticket, usage: usage, worker: worker, now: now)
    }

    /// The pool `settle` counts a report in: the pool holding `ticket`, else `fallback`.
    public func settlingPool(ticket: TicketID?, fallback: Int) -> Int {
        if let ticket, pools[pool(of: ticket)].gate.holds(ticket) { return pool(of: ticket) }
        return fallback
    }

    /// Releases a ticket in the pool that granted it.
    @discardableResult
    public mutating func release(ticket: TicketID, now: Instant) -> Bool {
        pools[pool(of: ticket)].gate.release(ticket: ticket, now: now)
    }

    // MARK: Worker controls (every pool)

    /// Passes over `worker`'s waiters in every pool until `resume(worker:now:)`.
    public mutating func pause(worker: String, now: Instant) {
        for index in pools.indices { pools[index].gate.pause(worker: worker, now: now) }
    }

    /// Lets `worker`'s waiters go again in every pool.
    public mutating func resume(worker: String, now: Instant) {
        for index in pools.indices { pools[index].gate.resume(worker: worker, now: now) }
    }

    /// Caps `worker` at `cap` x limit in every pool (nil clears the cap); nothing changes when
    /// `cap` is out of (0, 1].
    public mutating func setCap(_ cap: Double?, worker: String, now: Instant) throws(ConfigurationError) {
        if let cap, !(cap.isFinite && cap > 0 && cap <= 1) { throw .invalidCap(cap) }
        for index in pools.indices { try pools[index].gate.setCap(cap, worker: worker, now: now) }
    }

    /// The workers an operator paused or capped (the same in every pool), by name.
    public var controlledWorkers: [String: WorkerControl] { pools[0].gate.controlledWorkers }

    // MARK: Checks

    private static func check(_ declarations: [Declaration]) throws(PoolError) {
        var seen: Set<String> = [defaultName]
        var earlier: [(pool: String, glob: ModelGlob)] = []
        for declaration in declarations {
            guard isValidName(declaration.name) else { throw .invalidName(declaration.name) }
            guard seen.insert(declaration.name).inserted else { throw .duplicateName(declaration.name) }
            guard !declaration.models.isEmpty else { throw .noModels(pool: declaration.name) }
            for glob in declaration.models {
                if let cover = earlier.first(where: { $0.glob.covers(glob) }) {
                    throw .unreachableGlob(
                        pool: declaration.name, glob: glob.pattern, earlierPool: cover.pool, coveredBy: cover.glob.pattern
                    )
                }
                earlier.append((declaration.name, glob))
            }
        }
    }

    /// 1-64 of `A-Za-z0-9._-`, and not `default`.
    public static func isValidName(_ name: String) -> Bool {
        guard name != defaultName, (1...64).contains(name.utf8.count) else { return false }
        return name.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x2E || byte == 0x5F || byte == 0x2D
        }
    }
}
