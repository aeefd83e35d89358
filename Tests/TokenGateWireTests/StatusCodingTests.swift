import Testing

@testable import TokenGateWire

enum StatusFixtures {
    static let running = Status(
        state: .running, windowMs: 60000, limit: 1_800_000, threshold: 0.9, used: 120_000, reserved: 4000,
        inFlight: 2, waiting: 1,
        budgets: [
            BudgetStatus(name: "tokens", limit: 1_800_000, used: 120_000, reserved: 4000),
            BudgetStatus(name: "requests", limit: 4000, used: 37, reserved: 2),
        ],
        workers: [
            WorkerStatus(
                worker: "crawler-1", used: 100_000, requests: 30, inFlight: 1, waiting: 0, lastSeenMsAgo: 15,
                connected: true),
            WorkerStatus(
                worker: "pid-4242", used: 20000, requests: 7, inFlight: 1, waiting: 1, lastSeenMsAgo: 30000,
                connected: false),
        ],
        uptimeMs: 123_456, server: "tokengate/0.1.0")

    static let cooldown = Status(
        state: .cooldown, windowMs: 2000, limit: 9_007_199_254_740_991, threshold: 1, used: 0, reserved: 0,
        inFlight: 0, waiting: 3, cooldownRemainingMs: 1500, budgets: [], workers: [], uptimeMs: 0,
        server: "tokengate/\"dev\"",
        queue: QueueStatus(worker: "w", estimate: 5000, admissibleInMs: nil, oversized: true),
        cooldownWorker: "eval-7")
}

@Suite("Status coding")
struct StatusCodingTests {
    @Test("Status encodes with the contract's snake_case keys, in the contract's order")
    func keys() throws {
        let object = try #require(StatusFixtures.running.jsonValue().objectValue)
        #expect(object.keys == [
            "state", "window_ms", "limit", "threshold", "used", "reserved", "in_flight", "waiting", "budgets",
            "workers", "uptime_ms", "server",
        ])
        #expect(object["state"] == "running")
        #expect(object["threshold"] == .double(0.9))
        let budget = try #require(object["budgets"]?.arrayValue?.first?.objectValue)
        #expect(budget.keys == ["name", "limit", "used", "reserved"])
        let worker = try #require(object["workers"]?.arrayValue?.first?.objectValue)
        #expect(worker.keys == ["worker", "used", "requests", "in_flight", "waiting", "last_seen_ms_ago", "connected"])
    }

    @Test("cooldown_remaining_ms and the additions are absent when nil, present when set")
    func optionalKeys() throws {
        let running = StatusFixtures.running.encoded().text
        #expect(!running.contains("cooldown_remaining_ms"))
        #expect(!running.contains("\"queue\""))
        #expect(!running.contains("cooldown_worker"))
        #expect(!running.contains("null"))

        let cooldown = try #require(StatusFixtures.cooldown.jsonValue().objectValue)
        #expect(cooldown["cooldown_remaining_ms"] == 1500)
        #expect(cooldown["cooldown_worker"] == "eval-7")
        let queue = try #require(cooldown["queue"]?.objectValue)
        #expect(queue.keys == ["worker", "estimate", "oversized"])
    }

    @Test("the encoded text is compact JSON")
    func exactText() {
        let status = Status(
            state: .paused, windowMs: 60000, limit: 100, threshold: 0.9, used: 1, reserved: 2, inFlight: 3,
            waiting: 4, budgets: [BudgetStatus(name: "tokens", limit: 100, used: 1, reserved: 2)], workers: [],
            uptimeMs: 5, server: "tokengate/0.1.0")
        #expect(
            status.encoded().text
                == #"{"state":"paused","window_ms":60000,"limit":100,"threshold":0.9,"used":1,"reserved":2,"in_flight":3,"waiting":4,"budgets":[{"name":"tokens","limit":100,"used":1,"reserved":2}],"workers":[],"uptime_ms":5,"server":"tokengate/0.1.0"}"#
        )
    }

    @Test("Status round trips", arguments: [StatusFixtures.running, StatusFixtures.cooldown])
    func roundTrip(status: Status) throws {
        #expect(try Status(json: status.jsonValue()) == status)
        #expect(try Status.decode(json: status.encoded().bytes) == status)
    }

    @Test("Status decodes from other writers' JSON: any key order, unknown keys, whole numbers as 5.0")
    func foreignStatus() throws {
        let text = """
            {"server":"py","uptime_ms":1.0,"workers":[],"budgets":[],"waiting":0,"in_flight":0,
             "reserved":0,"used":10,"threshold":1,"limit":50,"window_ms":1000,"state":"paused",
             "cooldown_remaining_ms":null,"future":{"x":[1]}}
            """
        let status = try Status.decode(json: Array(text.utf8))
        #expect(status.state == .paused && status.threshold == 1 && status.uptimeMs == 1)
        #expect(status.cooldownRemainingMs == nil)
    }

    @Test(
        "invalid Status objects are refused with the path of the problem",
        arguments: [
            (#"{"state":"running"}"#, "window_ms"),
            (#"{"state":"sleeping","window_ms":1}"#, "state"),
            (#"[]"#, "expected"),
            (#"{"state":"#, "invalid Status JSON"),
        ] as [(String, String)])
    func invalid(text: String, mention: String) {
        do {
            _ = try Status.decode(json: Array(text.utf8))
            Issue.record("decoded \(text)")
        } catch {
            #expect(error.description.contains(mention))
        }
    }

    @Test("a wrong type deep inside is reported with its path")
    func deepPath() throws {
        var value = try #require(StatusFixtures.running.jsonValue().objectValue)
        var workers = try #require(value["workers"]?.arrayValue)
        var first = try #require(workers[0].objectValue)
        first["connected"] = "yes"
        workers[0] = .object(first)
        value["workers"] = .array(workers)
        #expect(throws: StatusDecodingError.self) { try Status(json: .object(value)) }
        do {
            _ = try Status(json: .object(value))
        } catch {
            #expect(error.description.contains(".workers[0].connected"))
        }
    }
}

@Suite("Status: oldest_grant_ms")
struct OldestGrantCodingTests {
    @Test("a worker's oldest_grant_ms is written when known, absent when none, and read back")
    func oldestGrant() throws {
        var status = StatusFixtures.running
        status.workers[0].oldestGrantMs = 1500
        let text = status.encoded().text
        #expect(text.contains(#""connected":true,"oldest_grant_ms":1500"#), "\(text)")
        #expect(text.ranges(of: "oldest_grant_ms").count == 1, "absent for the worker with none")
        let decoded = try Status.decode(json: Array(text.utf8))
        #expect(decoded.workers.map(\.oldestGrantMs) == [1500, nil])
    }
}

@Suite("Status: rates and history")
struct RatesHistoryCodingTests {
    @Test("rates and history are written with snake_case keys when set, absent when not, and read back")
    func ratesAndHistory() throws {
        var status = StatusFixtures.running
        #expect(!status.encoded().text.contains("rates") && !status.encoded().text.contains("history"))
        status.rates = RatesStatus(tokensPerMin: 412_300, grantsPerS: 3.25, waitP99Ms: 850, throttlesInWindow: 2)
        status.history = HistoryStatus(used: [0, 10, 20], reserved: [5, 0, 1])
        let object = try #require(status.jsonValue().objectValue)
        #expect(object.keys.suffix(2) == ["rates", "history"])
        let rates = try #require(object["rates"]?.objectValue)
        #expect(rates.keys == ["tokens_per_min", "grants_per_s", "wait_p99_ms", "throttles_in_window"])
        let history = try #require(object["history"]?.objectValue)
        #expect(history.keys == ["step_ms", "used", "reserved"])
        #expect(try Status.decode(json: status.encoded().bytes) == status)

        status.rates?.waitP99Ms = nil
        #expect(!status.encoded().text.contains("wait_p99_ms"), "no grants in the window: no p99")
    }
}
