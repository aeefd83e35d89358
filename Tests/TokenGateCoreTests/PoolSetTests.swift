import Testing
@testable import TokenGateCore

/// One daemon, several limits: pools per model class, in virtual time.
@Suite("Pools")
struct PoolSetTests {
    static func configuration(_ limit: Int64) -> GateConfiguration {
        do {
            return try GateConfiguration(tokenLimit: limit, window: .seconds(10), threshold: 1, sendMargin: .zero)
        } catch {
            fatalError("test configuration is invalid: \(error)")
        }
    }

    static func glob(_ pattern: String) -> ModelGlob {
        do { return try ModelGlob(pattern) } catch { fatalError("\(error)") }
    }

    static func pools() throws -> PoolSet {
        try PoolSet(default: configuration(1_000), declarations: [
            .init(name: "opus", models: [glob("claude-opus-*")], configuration: configuration(100)),
            .init(name: "sonnet", models: [glob("claude-sonnet-*"), glob("*sonnet*")], configuration: configuration(500)),
        ])
    }

    @Test("a model goes to the first pool whose glob matches it, else default; a named pool wins")
    func routing() throws {
        let pools = try Self.pools()
        #expect(pools.names == ["default", "opus", "sonnet"])
        #expect(try pools.route(model: "claude-opus-4-1", pool: nil) == 1)
        #expect(try pools.route(model: "claude-sonnet-4-5", pool: nil) == 2)
        #expect(try pools.route(model: "my-sonnet-finetune", pool: nil) == 2)
        #expect(try pools.route(model: "claude-haiku-4-5", pool: nil) == 0)
        #expect(try pools.route(model: nil, pool: nil) == 0)
        #expect(try pools.route(model: "claude-opus-4-1", pool: "sonnet") == 2)
        #expect(throws: PoolError.unknownPool("haiku", known: ["default", "opus", "sonnet"])) {
            try pools.route(model: nil, pool: "haiku")
        }
    }

    @Test("globs: * stands for any run; one glob covers another when it takes every model the other would")
    func globs() throws {
        #expect(Self.glob("claude-*").matches("claude-opus-4"))
        #expect(!Self.glob("claude-*").matches("gpt-4o"))
        #expect(Self.glob("*haiku*").matches("claude-3-5-haiku-latest"))
        #expect(Self.glob("gpt-4o").matches("gpt-4o") && !Self.glob("gpt-4o").matches("gpt-4o-mini"))
        #expect(Self.glob("claude-*").covers(Self.glob("claude-sonnet-*")))
        #expect(!Self.glob("claude-sonnet-*").covers(Self.glob("claude-*")))
        #expect(Self.glob("*").covers(Self.glob("a*b")))
        #expect(!Self.glob("a*").covers(Self.glob("*a")))
        #expect(throws: PoolError.emptyGlob) { try ModelGlob("") }
    }

    @Test("bad declarations are refused, each with its reason")
    func badDeclarations() {
        let config = Self.configuration(100)
        #expect(throws: PoolError.duplicateName("a")) {
            try PoolSet(default: config, declarations: [
                .init(name: "a", models: [Self.glob("x*")], configuration: config),
                .init(name: "a", models: [Self.glob("y*")], configuration: config),
            ])
        }
        #expect(throws: PoolError.noModels(pool: "a")) {
            try PoolSet(default: config, declarations: [.init(name: "a", models: [], configuration: config)])
        }
        #expect(throws: PoolError.invalidName("default")) {
            try PoolSet(default: config, declarations: [.init(name: "default", models: [Self.glob("x")], configuration: config)])
        }
        #expect(throws: PoolError.invalidName("a b")) {
            try PoolSet(default: config, declarations: [.init(name: "a b", models: [Self.glob("x")], configuration: config)])
        }
        #expect(throws: PoolError.unreachableGlob(pool: "sonnet", glob: "claude-sonnet-*", earlierPool: "claude", coveredBy: "claude-*")) {
            try PoolSet(default: config, declarations: [
                .init(name: "claude", models: [Self.glob("claude-*")], configuration: config),
                .init(name: "sonnet", models: [Self.glob("claude-sonnet-*")], configuration: config),
            ])
        }
    }

    @Test("each pool has its own window and queue; tickets never collide and settle in their own pool")
    func independentPools() throws {
        var pools = try Self.pools()
        let opus = try #require(pools[pool: 1].acquire(worker: "a", estimate: estimate(100), now: at(0)).grant)
        // opus is full; sonnet and default are not.
        #expect(pools[pool: 1].acquire(worker: "a", estimate: estimate(1), now: at(0)).waiter != nil)
        let sonnet = try #require(pools[pool: 2].acquire(worker: "a", estimate: estimate(500), now: at(0)).grant)
        let other = try #require(pools[pool: 0].acquire(worker: "a", estimate: estimate(900), now: at(0)).grant)
        #expect(Set([opus.ticket, sonnet.ticket, other.ticket]).count == 3)
        #expect(pools.pool(of: opus.ticket) == 1 && pools.pool(of: sonnet.ticket) == 2 && pools.pool(of: other.ticket) == 0)
        // A report settles in the ticket's pool whatever the fallback, and frees only that pool.
        #expect(pools.settlingPool(ticket: opus.ticket, fallback: 0) == 1)
        #expect(pools.settle(ticket: opus.ticket, usage: usage(40), fallback: 0, now: at(1)) == .settled)
        #expect(pools.settlingPool(ticket: opus.ticket, fallback: 2) == 2, "a closed ticket counts in the fallback")
        #expect(pools.settlingPool(ticket: nil, fallback: 2) == 2)
        #expect(pools.takeOutcomes().count == 1, "the opus waiter fits now")
        #expect(pools.gate(1).used(now: at(1)).tokens == 40)
        #expect(pools.gate(0).used(now: at(1)).tokens == 0)
        // Usage without a ticket counts in the fallback pool.
        #expect(pools.settle(ticket: nil, usage: usage(30), fallback: 2, now: at(1)) == .ticketless)
        #expect(pools.gate(2).used(now: at(1)).tokens == 30)
    }

    @Test("a 429 cools only its pool; the earliest wake-up of any pool is the set's")
    func cooldownPerPool() throws {
        var pools = try Self.pools()
        pools[pool: 1].throttle(until: at(5), now: at(0))
        #expect(pools[pool: 1].acquire(worker: "a", estimate: estimate(1), now: at(0)).waiter != nil)
        #expect(pools[pool: 2].acquire(worker: "a", estimate: estimate(1), now: at(0)).grant != nil)
        #expect(pools.nextWakeUp(now: at(0)) == at(5))
        pools.advance(to: at(5))
        #expect(pools.takeOutcomes().compactMap(\.grant).count == 1)
    }

    @Test("a closed connection is withdrawn from every pool")
    func withdrawEverywhere() throws {
        var pools = try Self.pools()
        let owner = OwnerID(rawValue: 7)
        _ = pools[pool: 1].acquire(worker: "a", estimate: estimate(100), owner: owner, now: at(0))
        _ = pools[pool: 1].acquire(worker: "a", estimate: estimate(100), owner: owner, now: at(0))
        _ = pools[pool: 2].acquire(worker: "a", estimate: estimate(100), owner: owner, now: at(0))
        let withdrawal = pools.withdraw(owner: owner, now: at(1))
        #expect(withdrawal.ticketsReleased.count == 2 && withdrawal.waitersDropped.count == 1)
        #expect(pools.gate(1).reserved.tokens == 0 && pools.gate(2).reserved.tokens == 0)
    }
}
