import Testing

@testable import TokenGateWire

private func decoded(_ line: String) -> Result<Request, WireFailure> {
    Request.decode(line: line)
}

@Suite("Request decoding")
struct RequestDecodingTests {
    @Test(
        "every op decodes to its typed fields",
        arguments: [
            (#"{"op":"hello","v":1,"worker":"crawler-1"}"#, Request(.hello(worker: "crawler-1"))),
            (#"{"op":"acquire"}"#, Request(.acquire(.init()))),
            (
                #"{"op":"acquire","id":1,"tokens":1200,"input":1000,"output":200,"timeout_ms":5000,"worker":"a.b:c_d-e"}"#,
                Request(
                    id: 1,
                    .acquire(.init(tokens: 1200, input: 1000, output: 200, timeoutMs: 5000, worker: "a.b:c_d-e")))
            ),
            (
                #"{"op":"report","ticket":"t-17","input":900,"output":150}"#,
                Request(.report(.init(ticket: "t-17", input: 900, output: 150)))
            ),
            (
                #"{"op":"report","id":"r","input":0,"output":0,"cache_creation":10,"cache_read":20,"worker":"w","model":"claude-x"}"#,
                Request(
                    id: "r",
                    .report(.init(input: 0, output: 0, cacheCreation: 10, cacheRead: 20, worker: "w", model: "claude-x")))
            ),
            (#"{"op":"report","ticket":42,"input":1,"output":2}"#, Request(.report(.init(ticket: "42", input: 1, output: 2)))),
            (#"{"op":"release","ticket":"t 1"}"#, Request(.release(ticket: "t 1"))),
            (#"{"op":"release","ticket":7}"#, Request(.release(ticket: "7"))),
            (#"{"op":"throttled","retry_after_ms":30000}"#, Request(.throttled(.init(retryAfterMs: 30000)))),
            (
                #"{"op":"throttled","retry_after_ms":0,"budget":"output"}"#,
                Request(.throttled(.init(retryAfterMs: 0, budget: .output)))
            ),
            (
                #"{"op":"observe","headers":{"retry-after":"12","Anthropic-RateLimit-Tokens-Remaining":"5000"}}"#,
                Request(.observe(headers: ["retry-after": "12", "Anthropic-RateLimit-Tokens-Remaining": "5000"]))
            ),
            (#"{"op":"observe","headers":{}}"#, Request(.observe(headers: [:]))),
            (#"{"op":"status"}"#, Request(.status)),
            (#"{"op":"subscribe"}"#, Request(.subscribe(intervalMs: 250))),
            (#"{"op":"subscribe","interval_ms":50}"#, Request(.subscribe(intervalMs: 50))),
            (#"{"op":"subscribe","history":true}"#, Request(.subscribe(intervalMs: 250, history: true))),
            (#"{"op":"subscribe","history":false}"#, Request(.subscribe(intervalMs: 250))),
            (#"{"op":"pause","id":-3}"#, Request(id: -3, .pause)),
            (#"{"op":"resume"}"#, Request(.resume)),
            (#"{"op":"set_limit","limit":1800000}"#, Request(.setLimit(.init(limit: 1_800_000)))),
            (#"{"op":"set_limit","threshold":0.5}"#, Request(.setLimit(.init(threshold: 0.5)))),
            (#"{"op":"set_limit","threshold":1}"#, Request(.setLimit(.init(threshold: 1)))),
            (
                #"{"op":"set_limit","limit":9007199254740991,"threshold":1e-1}"#,
                Request(.setLimit(.init(limit: 9_007_199_254_740_991, threshold: 0.1)))
            ),
        ] as [(String, Request)])
    func decodesEveryOp(line: String, expected: Request) throws {
        #expect(try decoded(line).get() == expected)
        #expect(try decoded(line + "\n").get() == expected)
    }

    @Test(
        "unknown fields are ignored and null optional fields count as absent",
        arguments: [
            (#"{"op":"status","extra":{"deep":[1,2]},"x":null}"#, Request(.status)),
            (#"{"op":"acquire","tokens":null,"worker":null,"future_field":"yes"}"#, Request(.acquire(.init()))),
            (#"{"op":"report","ticket":null,"input":1,"output":2,"model":null}"#, Request(.report(.init(input: 1, output: 2)))),
            (#"{"op":"subscribe","interval_ms":null}"#, Request(.subscribe(intervalMs: 250))),
            (#"{"op":"pause","id":null}"#, Request(.pause)),
            (#"{"id":5,"op":"resume","op_note":"ignored"}"#, Request(id: 5, .resume)),
        ] as [(String, Request)])
    func tolerant(line: String, expected: Request) throws {
        #expect(try decoded(line).get() == expected)
    }

    @Test(
        "bad input yields the contract's error code",
        arguments: [
            // Not JSON.
            ("not json", WireErrorCode.badJSON),
            ("", .badJSON),
            ("{\"op\":\"status\"", .badJSON),
            ("{\"op\":\"status\"} trailing", .badJSON),
            ("{\"op\":\"status\",}", .badJSON),
            ("{\"op\":\"st\tatus\"}", .badJSON),
            // Not an object, or no usable op.
            ("[1,2]", .badRequest),
            ("42", .badRequest),
            ("\"status\"", .badRequest),
            ("null", .badRequest),
            ("{}", .badRequest),
            ("{\"id\":1}", .badRequest),
            ("{\"op\":null}", .badRequest),
            ("{\"op\":1}", .badRequest),
            ("{\"op\":[\"status\"]}", .badRequest),
            ("{\"op\":\"status\",\"id\":true}", .badRequest),
            ("{\"op\":\"status\",\"id\":1.5}", .badRequest),
            ("{\"op\":\"status\",\"id\":{}}", .badRequest),
            ("{\"op\":\"status\",\"id\":9223372036854775808}", .badRequest),
            // Unknown op.
            ("{\"op\":\"fly\"}", .unknownOp),
            ("{\"op\":\"STATUS\"}", .unknownOp),
            ("{\"op\":\"setLimit\",\"limit\":5}", .unknownOp),
            ("{\"op\":\"\"}", .unknownOp),
            // Counts.
            ("{\"op\":\"subscribe\",\"history\":1}", .badRequest),
            ("{\"op\":\"subscribe\",\"history\":\"true\"}", .badRequest),
            ("{\"op\":\"acquire\",\"tokens\":-1}", .badRequest),
            ("{\"op\":\"acquire\",\"tokens\":1.5}", .badRequest),
            ("{\"op\":\"acquire\",\"tokens\":5.0}", .badRequest),
            ("{\"op\":\"acquire\",\"tokens\":1e3}", .badRequest),
            ("{\"op\":\"acquire\",\"tokens\":9007199254740992}", .badRequest),
            ("{\"op\":\"acquire\",\"tokens\":9223372036854775808}", .badRequest),
            ("{\"op\":\"acquire\",\"tokens\":-9223372036854775809}", .badRequest),
            ("{\"op\":\"acquire\",\"tokens\":\"100\"}", .badRequest),
            ("{\"op\":\"acquire\",\"tokens\":true}", .badRequest),
            ("{\"op\":\"acquire\",\"tokens\":[100]}", .badRequest),
            ("{\"op\":\"acquire\",\"input\":-5}", .badRequest),
            ("{\"op\":\"acquire\",\"output\":0.1}", .badRequest),
            ("{\"op\":\"acquire\",\"timeout_ms\":-1}", .badRequest),
            ("{\"op\":\"report\",\"output\":5}", .badRequest),
            ("{\"op\":\"report\",\"input\":5}", .badRequest),
            ("{\"op\":\"report\",\"input\":null,\"output\":5}", .badRequest),
            ("{\"op\":\"report\",\"input\":5,\"output\":-2}", .badRequest),
            ("{\"op\":\"report\",\"input\":5,\"output\":2,\"cache_creation\":1.5}", .badRequest),
            ("{\"op\":\"report\",\"input\":5,\"output\":2,\"cache_read\":\"3\"}", .badRequest),
            ("{\"op\":\"report\",\"input\":5,\"output\":2,\"model\":7}", .badRequest),
            ("{\"op\":\"throttled\"}", .badRequest),
            ("{\"op\":\"throttled\",\"retry_after_ms\":-1}", .badRequest),
            ("{\"op\":\"throttled\",\"retry_after_ms\":1000,\"budget\":\"cash\"}", .badRequest),
            ("{\"op\":\"throttled\",\"retry_after_ms\":1000,\"budget\":1}", .badRequest),
            // Workers.
            ("{\"op\":\"hello\",\"v\":1}", .badRequest),
            ("{\"op\":\"hello\",\"worker\":\"w\"}", .badRequest),
            ("{\"op\":\"hello\",\"v\":2,\"worker\":\"w\"}", .badRequest),
            ("{\"op\":\"hello\",\"v\":1.0,\"worker\":\"w\"}", .badRequest),
            ("{\"op\":\"hello\",\"v\":\"1\",\"worker\":\"w\"}", .badRequest),
            ("{\"op\":\"hello\",\"v\":1,\"worker\":\"\"}", .badRequest),
            ("{\"op\":\"hello\",\"v\":1,\"worker\":\"has space\"}", .badRequest),
            ("{\"op\":\"hello\",\"v\":1,\"worker\":\"slash/no\"}", .badRequest),
            ("{\"op\":\"hello\",\"v\":1,\"worker\":\"caf\u{e9}\"}", .badRequest),
            ("{\"op\":\"hello\",\"v\":1,\"worker\":\"\(String(repeating: "w", count: 65))\"}", .badRequest),
            ("{\"op\":\"hello\",\"v\":1,\"worker\":42}", .badRequest),
            ("{\"op\":\"acquire\",\"worker\":\"bad name\"}", .badRequest),
            ("{\"op\":\"report\",\"input\":1,\"output\":1,\"worker\":\"\"}", .badRequest),
            // Tickets.
            ("{\"op\":\"release\"}", .badRequest),
            ("{\"op\":\"release\",\"ticket\":\"\"}", .badRequest),
            ("{\"op\":\"release\",\"ticket\":\"tab\\there\"}", .badRequest),
            ("{\"op\":\"release\",\"ticket\":\"\u{e9}\"}", .badRequest),
            ("{\"op\":\"release\",\"ticket\":\"\(String(repeating: "t", count: 129))\"}", .badRequest),
            ("{\"op\":\"release\",\"ticket\":1.5}", .badRequest),
            ("{\"op\":\"release\",\"ticket\":true}", .badRequest),
            ("{\"op\":\"report\",\"ticket\":{},\"input\":1,\"output\":1}", .badRequest),
            // Observe.
            ("{\"op\":\"observe\"}", .badRequest),
            ("{\"op\":\"observe\",\"headers\":[]}", .badRequest),
            ("{\"op\":\"observe\",\"headers\":{\"retry-after\":12}}", .badRequest),
            ("{\"op\":\"observe\",\"headers\":{\"a\":\"1\",\"b\":null}}", .badRequest),
            // Subscribe.
            ("{\"op\":\"subscribe\",\"interval_ms\":10}", .badRequest),
            ("{\"op\":\"subscribe\",\"interval_ms\":49}", .badRequest),
            ("{\"op\":\"subscribe\",\"interval_ms\":250.5}", .badRequest),
            ("{\"op\":\"subscribe\",\"interval_ms\":\"fast\"}", .badRequest),
            // Set limit.
            ("{\"op\":\"set_limit\"}", .badRequest),
            ("{\"op\":\"set_limit\",\"limit\":null,\"threshold\":null}", .badRequest),
            ("{\"op\":\"set_limit\",\"limit\":0}", .badRequest),
            ("{\"op\":\"set_limit\",\"limit\":-5}", .badRequest),
            ("{\"op\":\"set_limit\",\"limit\":1.5}", .badRequest),
            ("{\"op\":\"set_limit\",\"limit\":9007199254740992}", .badRequest),
            ("{\"op\":\"set_limit\",\"threshold\":0}", .badRequest),
            ("{\"op\":\"set_limit\",\"threshold\":-0.5}", .badRequest),
            ("{\"op\":\"set_limit\",\"threshold\":1.01}", .badRequest),
            ("{\"op\":\"set_limit\",\"threshold\":1e400}", .badRequest),
            ("{\"op\":\"set_limit\",\"threshold\":\"0.9\"}", .badRequest),
            ("{\"op\":\"set_limit\",\"limit\":100,\"threshold\":2}", .badRequest),
        ] as [(String, WireErrorCode)])
    func refuses(line: String, code: WireErrorCode) {
        #expect(decoded(line).failureCode == code)
    }

    @Test(
        "invalid UTF-8 is bad_json",
        arguments: [
            [0xFF],
            Array(#"{"op":"hello","v":1,"worker":""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8),
            Array(#"{"op":"status","x":""#.utf8) + [0xED, 0xA0, 0x80] + Array(#""}"#.utf8),
            Array(#"{"op":"status"}"#.utf8) + [0x80],
        ] as [[UInt8]])
    func invalidUTF8(bytes: [UInt8]) {
        #expect(Request.decode(line: bytes).failureCode == .badJSON)
    }

    @Test("a line above the limit is line_too_long; one at the limit is read")
    func lineLength() throws {
        let padding = WireLimits.maxLineBytes - #"{"op":"status","pad":""}"#.utf8.count
        let atLimit = #"{"op":"status","pad":""# + String(repeating: "x", count: padding) + #""}"#
        #expect(atLimit.utf8.count == WireLimits.maxLineBytes)
        #expect(try decoded(atLimit).get() == Request(.status))
        #expect(try decoded(atLimit + "\n").get() == Request(.status))
        let tooLong = #"{"op":"status","pad":""# + String(repeating: "x", count: padding + 1) + #""}"#
        let failure = try #require(decoded(tooLong).failure)
        #expect(failure.code == .lineTooLong)
        #expect(failure.id == nil)
    }

    @Test(
        "the id is echoed exactly, including on failures after it was read",
        arguments: [
            (#"{"op":"status","id":0}"#, RequestID.integer(0)),
            (#"{"op":"status","id":-17}"#, .integer(-17)),
            (#"{"op":"status","id":9223372036854775807}"#, .integer(Int64.max)),
            (#"{"op":"status","id":"req-\u00e9"}"#, .string("req-\u{e9}")),
            (#"{"op":"status","id":""}"#, .string("")),
            (#"{"id":"a \"quoted\" id","op":"status"}"#, .string("a \"quoted\" id")),
        ] as [(String, RequestID)])
    func idEcho(line: String, id: RequestID) throws {
        #expect(try decoded(line).get().id == id)
        let failing = line.replacing(#""op":"status""#, with: #""op":"warp""#, maxReplacements: 1)
        let failure = try #require(decoded(failing).failure)
        #expect(failure.code == .unknownOp)
        #expect(failure.id == id)
        let reply = try Reply.decode(line: failure.encodeReplyLine()).get()
        #expect(reply.id == id)
        #expect(reply.fields["id"] == id.jsonValue)
    }

    @Test("failures keep the id when it was readable and drop it when not")
    func failureIDs() throws {
        #expect(decoded(#"{"id":3,"op":"acquire","tokens":-1}"#).failure?.id == 3)
        #expect(decoded(#"{"id":"x"}"#).failure?.id == "x")
        #expect(decoded(#"{"id":3,"op":2}"#).failure?.id == 3)
        #expect(decoded(#"{"id":[3],"op":"status"}"#).failure?.id == nil)
        #expect(decoded(#"{"id":3,"op":"status""#).failure?.id == nil)
        #expect(decoded(#"[{"id":3,"op":"status"}]"#).failure?.id == nil)
    }

    @Test(
        "messages name the field and say what was wrong",
        arguments: [
            (#"{"op":"acquire","tokens":-1}"#, #""tokens" must be an integer from 0 to 9007199254740991, got -1"#),
            (
                #"{"op":"acquire","tokens":1.5}"#,
                #""tokens" must be an integer from 0 to 9007199254740991 written without fraction or exponent, got 1.5"#
            ),
            (
                #"{"op":"acquire","timeout_ms":1e3}"#,
                #""timeout_ms" must be an integer from 0 to 9007199254740991 written without fraction or exponent, got 1000.0"#
            ),
            (
                #"{"op":"acquire","input":9223372036854775808}"#,
                #""input" must be an integer from 0 to 9007199254740991, got an integer out of range"#
            ),
            (#"{"op":"acquire","output":"7"}"#, #""output" must be an integer from 0 to 9007199254740991, got a string"#),
            (#"{"op":"report","input":1}"#, #"missing required field "output""#),
            (#"{"op":"subscribe","interval_ms":10}"#, #""interval_ms" must be an integer from 50 to 9007199254740991, got 10"#),
            (#"{"op":"set_limit","limit":0}"#, #""limit" must be an integer from 1 to 9007199254740991, got 0"#),
            (#"{"op":"set_limit","threshold":1.5}"#, #""threshold" must be a number greater than 0 and at most 1, got 1.5"#),
            (#"{"op":"set_limit"}"#, #"set_limit needs "limit" or "threshold""#),
            (#"{"op":"hello","v":1,"worker":"a b"}"#, #""worker" must be 1-64 characters of A-Za-z0-9._:-, got "a b""#),
            (#"{"op":"hello","v":2,"worker":"w"}"#, #""v" must be 1, the protocol version this daemon speaks, got 2"#),
            (#"{"op":"release","ticket":false}"#, #""ticket" must be a string of 1-128 printable ASCII characters, got false"#),
            (#"{"op":"throttled","retry_after_ms":1,"budget":"x"}"#, #""budget" must be one of tokens, input, output, requests, got "x""#),
            (#"{"op":"observe","headers":{"a":1}}"#, #""headers" must map header names to strings, but "a" is 1"#),
            (#"{"op":"fly"}"#, #"unknown op "fly""#),
            (#"{"id":1}"#, #"missing required field "op""#),
            (#"{"op":true}"#, #""op" must be a string, got true"#),
            (#"{"op":"status","id":1.5}"#, #""id" must be an integer or a string, got 1.5"#),
            ("[1,2]", "a request must be a JSON object, got an array"),
            ("not json", "not valid JSON: unexpected character 'o' at byte 1"),
        ] as [(String, String)])
    func messages(line: String, message: String) {
        #expect(decoded(line).failure?.message == message)
    }

    @Test("long offending strings are shortened in messages")
    func longStringsShortened() throws {
        let op = String(repeating: "z", count: 1000)
        let failure = try #require(decoded(#"{"op":"\#(op)"}"#).failure)
        #expect(failure.code == .unknownOp)
        #expect(failure.message.utf8.count < 100)
    }

    @Test("every input form decodes the same")
    func inputForms() throws {
        let line = #"{"op":"acquire","id":9,"tokens":10}"# + "\n"
        let expected = Request(id: 9, .acquire(.init(tokens: 10)))
        #expect(try Request.decode(line: line).get() == expected)
        #expect(try Request.decode(line: Array(line.utf8)).get() == expected)
        #expect(try Request.decode(line: Array(line.utf8)[...]).get() == expected)
        #expect(try Request.decode(line: line.utf8).get() == expected)
        let viaRaw = Array(line.utf8).withUnsafeBytes { Request.decode(line: $0) }
        #expect(try viaRaw.get() == expected)
        #expect(try Request.decode(json: JSONValue.parse(line)).get() == expected)
    }

    @Test("operation names match the contract")
    func operationNames() {
        #expect(Request.Operation.Name.allCases.map(\.rawValue) == [
            "hello", "acquire", "report", "release", "throttled", "observe", "status", "subscribe", "pause",
            "resume", "set_limit",
        ])
        #expect(Request.Operation.setLimit(.init(limit: 1)).name == .setLimit)
    }

    @Test("error codes match the contract")
    func errorCodes() {
        #expect(WireErrorCode.allCases.map(\.rawValue) == [
            "bad_json", "bad_request", "unknown_op", "line_too_long", "forbidden", "timeout", "unknown_ticket",
            "shutting_down",
        ])
    }

    @Test("limits match the contract")
    func limits() {
        #expect(WireLimits.maxLineBytes == 65_536)
        #expect(WireLimits.maxCount == (1 << 53) - 1)
    }
}

extension Result where Failure == WireFailure {
    var failure: WireFailure? {
        if case .failure(let failure) = self { return failure }
        return nil
    }

    var failureCode: WireErrorCode? { failure?.code }
}

@Suite("Request decoding: pools (contract v2)")
struct PoolTargetDecodingTests {
    @Test("model and pool are read on the ops that take them, and written back")
    func target() throws {
        let line = #"{"op":"acquire","tokens":5,"model":"claude-opus-4-1","pool":"opus"}"#
        let request = try Request.decode(line: line).get()
        #expect(request.target == PoolTarget(model: "claude-opus-4-1", pool: "opus"))
        #expect(try Request.decode(line: String(decoding: request.encodeLine().dropLast(), as: UTF8.self)).get() == request)
        let pause = try Request.decode(line: #"{"op":"pause","pool":"sonnet"}"#).get()
        #expect(pause.operation == .pause && pause.target.pool == "sonnet")
        let report = try Request.decode(line: #"{"op":"report","input":1,"output":2,"model":"m"}"#).get()
        #expect(report.target.model == nil, "a report's model is Report.model")
        #expect(String(decoding: report.encodeLine(), as: UTF8.self) == #"{"op":"report","input":1,"output":2,"model":"m"}"# + "\n")
        #expect(try Request.decode(line: #"{"op":"status","pool":"x y"}"#).get().target == .unspecified)
    }

    @Test("a bad pool or model is bad_request", arguments: [
        #"{"op":"acquire","pool":"a b"}"#, #"{"op":"acquire","pool":""}"#, #"{"op":"acquire","pool":7}"#,
        #"{"op":"throttled","retry_after_ms":1,"model":""}"#,
    ])
    func bad(line: String) {
        guard case .failure(let failure) = Request.decode(line: line) else {
            Issue.record("decoded \(line)")
            return
        }
        #expect(failure.code == .badRequest)
    }
}
