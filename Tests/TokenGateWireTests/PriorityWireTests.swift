import Testing

@testable import TokenGateWire

/// Contract v2, "Priorities and per-worker control": the request fields and the status additions.
@Suite("Wire: priorities and per-worker control")
struct PriorityWireTests {
    @Test(
        "priority, a worker's pause and resume, and a worker's cap decode to their operations",
        arguments: [
            (#"{"op":"acquire","priority":"high"}"#, Request(.acquire(.init(priority: .high)))),
            (#"{"op":"acquire","priority":"low","tokens":5}"#, Request(.acquire(.init(tokens: 5, priority: .low)))),
            (#"{"op":"acquire","priority":"normal"}"#, Request(.acquire(.init(priority: .normal)))),
            (#"{"op":"acquire","priority":null}"#, Request(.acquire(.init()))),
            (#"{"op":"pause","worker":"crawler-1"}"#, Request(.pauseWorker("crawler-1"))),
            (#"{"op":"resume","id":2,"worker":"a.b:c"}"#, Request(id: 2, .resumeWorker("a.b:c"))),
            (#"{"op":"pause","worker":null}"#, Request(.pause)),
            (#"{"op":"set_limit","worker":"w","cap":0.25}"#, Request(.setWorkerCap(worker: "w", cap: 0.25))),
            (#"{"op":"set_limit","worker":"w","cap":1}"#, Request(.setWorkerCap(worker: "w", cap: 1))),
            (#"{"op":"set_limit","worker":"w","cap":null}"#, Request(.setWorkerCap(worker: "w", cap: nil))),
        ] as [(String, Request)])
    func decodes(line: String, expected: Request) throws {
        #expect(try Request.decode(line: line).get() == expected)
    }

    @Test(
        "bad priorities and caps are bad_request with a message naming what to send",
        arguments: [
            (#"{"op":"acquire","priority":"urgent"}"#, #"one of "high", "normal", "low", got "urgent""#),
            (#"{"op":"acquire","priority":"HIGH"}"#, #"got "HIGH""#),
            (#"{"op":"acquire","priority":1}"#, "one of"),
            (#"{"op":"set_limit","worker":"w"}"#, #"needs "cap""#),
            (#"{"op":"set_limit","worker":"w","cap":0}"#, "greater than 0 and at most 1, or null"),
            (#"{"op":"set_limit","worker":"w","cap":1.5}"#, "greater than 0 and at most 1, or null"),
            (#"{"op":"set_limit","worker":"w","cap":-0.1}"#, "greater than 0"),
            (#"{"op":"set_limit","worker":"w","cap":"0.5"}"#, "greater than 0"),
            (#"{"op":"set_limit","worker":"w","cap":0.5,"limit":100}"#, #""worker" goes with "cap" only"#),
            (#"{"op":"set_limit","worker":"w","cap":0.5,"threshold":0.5}"#, #""worker" goes with "cap" only"#),
            (#"{"op":"set_limit","cap":0.5}"#, #""cap" needs "worker""#),
            (#"{"op":"set_limit","cap":null}"#, #""cap" needs "worker""#),
            (#"{"op":"set_limit","worker":"bad name","cap":0.5}"#, #""worker" must be"#),
            (#"{"op":"pause","worker":""}"#, #""worker" must be"#),
            (#"{"op":"pause","worker":"w","pool":"fast"}"#, "apply in every pool"),
            (#"{"op":"set_limit","worker":"w","cap":0.5,"model":"m"}"#, "apply in every pool"),
        ] as [(String, String)])
    func refuses(line: String, message: String) {
        guard case .failure(let failure) = Request.decode(line: line) else {
            Issue.record("\(line) decoded")
            return
        }
        #expect(failure.code == .badRequest)
        #expect(failure.message.contains(message), "\(failure.message)")
    }

    @Test(
        "the new fields encode as the contract writes them and round trip",
        arguments: [
            (Request(.acquire(.init(tokens: 10, priority: .high))), #"{"op":"acquire","tokens":10,"priority":"high"}"#),
            (Request(.pauseWorker("w")), #"{"op":"pause","worker":"w"}"#),
            (Request(id: 3, .resumeWorker("w")), #"{"op":"resume","id":3,"worker":"w"}"#),
            (Request(.setWorkerCap(worker: "w", cap: 0.25)), #"{"op":"set_limit","worker":"w","cap":0.25}"#),
            (Request(.setWorkerCap(worker: "w", cap: nil)), #"{"op":"set_limit","worker":"w","cap":null}"#),
        ] as [(Request, String)])
    func encodes(request: Request, line: String) throws {
        #expect(String(decoding: request.encodeLine(), as: UTF8.self) == line + "\n")
        #expect(try Request.decode(line: request.encodeLine()).get() == request)
    }

    @Test("a worker control reply carries the worker, paused and cap (null when none)")
    func controlReply() throws {
        let capped = String(decoding: Reply.encodeWorkerControl(id: 1, state: .running, worker: "w", paused: true, cap: 0.5), as: UTF8.self)
        #expect(capped == #"{"id":1,"ok":true,"state":"running","worker":"w","paused":true,"cap":0.5}"# + "\n")
        let reply = try Reply.decode(line: Array(capped.utf8)).get()
        #expect(reply.paused == true)
        #expect(reply.cap == 0.5)
        let uncapped = Reply.encodeWorkerControl(id: nil, state: .paused, worker: "w", paused: false, cap: nil)
        let text = String(decoding: uncapped, as: UTF8.self)
        #expect(text.contains(#""paused":false,"cap":null"#), "\(text)")
        #expect(try Reply.decode(line: uncapped).get().cap == nil)
    }

    @Test("status workers write paused, cap (null when none), tickets and waiters, and read them back")
    func workerFields() throws {
        var status = StatusFixtures.running
        status.workers[0].paused = true
        status.workers[0].cap = 0.25
        status.workers[0].tickets = [TicketStatus(ticket: "ab12-3", ageMs: 1200, reserved: 500, pool: "default")]
        status.workers[0].waiters = [WaiterStatus(priority: .low, estimate: 800, waitedMs: 40, pool: "default")]
        status.workers[1].paused = false
        status.queueByPriority = PriorityCounts(high: 1, normal: 2, low: 3)
        status.reserveHigh = 0.2
        status.priorityAgingMs = 60000
        let text = status.encoded().text
        #expect(text.contains(#""paused":true,"cap":0.25,"tickets":[{"ticket":"ab12-3","age_ms":1200,"reserved":500,"pool":"default"}],"waiters":[{"priority":"low","estimate":800,"waited_ms":40,"pool":"default"}]"#), "\(text)")
        #expect(text.contains(#""paused":false,"cap":null"#), "\(text)")
        #expect(text.contains(#""queue_by_priority":{"high":1,"normal":2,"low":3},"reserve_high":0.2,"priority_aging_ms":60000"#), "\(text)")
        let decoded = try Status.decode(json: Array(text.utf8))
        #expect(decoded == status)
    }

    @Test("a status without the additions (an older daemon) writes no paused or cap key")
    func olderDaemon() throws {
        let text = StatusFixtures.running.encoded().text
        #expect(!text.contains("\"paused\""))
        #expect(!text.contains("\"cap\""))
        #expect(!text.contains("queue_by_priority"))
    }

    @Test("a pool's view carries its own priority mix")
    func poolView() {
        var status = StatusFixtures.running
        status.queueByPriority = PriorityCounts(normal: 1)
        status.pools = [
            PoolStatus(name: "default", models: [], state: .running, limit: 1, threshold: 0.9, used: 0, reserved: 0, inFlight: 0, waiting: 1, budgets: [], queueByPriority: PriorityCounts(normal: 1)),
            PoolStatus(name: "fast", models: ["m*"], state: .running, limit: 1, threshold: 0.9, used: 0, reserved: 0, inFlight: 0, waiting: 2, budgets: [], queueByPriority: PriorityCounts(high: 2)),
        ]
        #expect(status.viewed(asPool: "fast").queueByPriority == PriorityCounts(high: 2))
    }
}
