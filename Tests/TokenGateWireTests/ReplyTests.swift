import Testing
import TokenGateCore

@testable import TokenGateWire

private func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

private func reply(_ bytes: [UInt8]) throws -> Reply { try Reply.decode(line: bytes).get() }

@Suite("Replies")
struct ReplyTests {
    @Test(
        "encoders write the contract's shapes",
        arguments: [
            (Reply.encodeOK(id: 1), #"{"id":1,"ok":true}"#),
            (Reply.encodeOK(id: nil), #"{"ok":true}"#),
            (Reply.encodeOK(id: "x", fields: ["a": 1, "b": ["c"]]), #"{"id":"x","ok":true,"a":1,"b":["c"]}"#),
            (
                Reply.encodeError(id: 2, code: .badRequest, message: "\"tokens\" bad"),
                #"{"id":2,"ok":false,"error":"bad_request","message":"\"tokens\" bad"}"#
            ),
            (
                Reply.encodeError(id: nil, code: .badJSON, message: "x"),
                #"{"id":null,"ok":false,"error":"bad_json","message":"x"}"#
            ),
            (Reply.encodeGrant(id: 3, ticket: "t-9", waitedMs: 12), #"{"id":3,"ok":true,"ticket":"t-9","waited_ms":12}"#),
            (Reply.encodeGrant(id: nil, ticket: "t", waitedMs: 0), #"{"ok":true,"ticket":"t","waited_ms":0}"#),
            (Reply.encodeReported(id: 4, unknownTicket: false), #"{"id":4,"ok":true}"#),
            (Reply.encodeReported(id: 4, unknownTicket: true), #"{"id":4,"ok":true,"warning":"unknown_ticket"}"#),
            (
                Reply.encodeThrottled(id: "t", cooldownUntilMs: 1_700_000_000_000),
                #"{"id":"t","ok":true,"cooldown_until_ms":1700000000000}"#
            ),
            (Reply.encodeState(id: 5, state: .paused), #"{"id":5,"ok":true,"state":"paused"}"#),
            (Reply.encodeState(id: 6, state: .running), #"{"id":6,"ok":true,"state":"running"}"#),
            (
                Reply.encodeHello(id: 0, server: "tokengate/1.0.0", worker: "w-1"),
                #"{"id":0,"ok":true,"v":1,"server":"tokengate/1.0.0","worker":"w-1"}"#
            ),
        ] as [([UInt8], String)])
    func shapes(bytes: [UInt8], expected: String) {
        #expect(text(bytes) == expected + "\n")
    }

    @Test("grant, report, throttled, state and hello replies decode with typed accessors")
    func typedAccessors() throws {
        let grant = try reply(Reply.encodeGrant(id: 3, ticket: "t-9", waitedMs: 12))
        #expect(grant.id == 3 && grant.ok && grant.event == nil)
        #expect(grant.ticket == "t-9" && grant.waitedMs == 12)
        #expect(grant.failure == nil && grant.status == nil)

        let reported = try reply(Reply.encodeReported(id: "r", unknownTicket: true))
        #expect(reported.id == "r" && reported.ok)
        #expect(reported.warning == "unknown_ticket" && reported.hasUnknownTicketWarning)
        #expect(try reply(Reply.encodeReported(id: "r", unknownTicket: false)).warning == nil)

        let throttled = try reply(Reply.encodeThrottled(id: nil, cooldownUntilMs: 99))
        #expect(throttled.id == nil && throttled.cooldownUntilMs == 99)

        for state in [GateState.running, .paused, .cooldown] {
            #expect(try reply(Reply.encodeState(id: 1, state: state)).state == state)
        }

        let hello = try reply(Reply.encodeHello(id: 1, server: "tokengate/0.1", worker: "w"))
        #expect(hello.version == 1 && hello.server == "tokengate/0.1" && hello.worker == "w")

        let ok = try reply(Reply.encodeOK(id: 8, fields: ["extra": "yes"]))
        #expect(ok.fields["extra"] == "yes")
    }

    @Test("error replies decode to the failure that produced them", arguments: WireErrorCode.allCases)
    func errorRoundTrip(code: WireErrorCode) throws {
        for id in [RequestID.integer(41), .string("q\u{e9}\"\n"), nil] as [RequestID?] {
            let failure = WireFailure(id: id, code: code, message: "went \"wrong\"\n\tbadly \u{1F600}")
            let decoded = try reply(failure.encodeReplyLine())
            #expect(!decoded.ok)
            #expect(decoded.id == id)
            #expect(decoded.error == code)
            #expect(decoded.errorCodeText == code.rawValue)
            #expect(decoded.message == failure.message)
            #expect(decoded.failure == failure)
            #expect(decoded.fields["id"] != nil)
        }
    }

    @Test("an error code newer than the client is kept in the failure message")
    func unknownErrorCode() throws {
        let decoded = try reply(Array(#"{"id":1,"ok":false,"error":"overheated","message":"cool it"}"#.utf8))
        #expect(decoded.error == nil && decoded.errorCodeText == "overheated")
        #expect(decoded.failure == WireFailure(id: 1, code: .badRequest, message: "overheated: cool it"))
    }

    @Test("status replies and snapshot events carry a Status")
    func statusCarriers() throws {
        let status = StatusFixtures.cooldown
        let statusReply = try reply(Reply.encodeStatus(id: 12, status: status))
        #expect(statusReply.id == 12 && statusReply.ok && statusReply.status == status)
        #expect(statusReply.event == nil)

        let encoded = status.encoded()
        #expect(Reply.encodeStatus(id: 12, status: encoded) == Reply.encodeStatus(id: 12, status: status))

        let eventLine = Reply.encodeSnapshotEvent(status: encoded)
        #expect(text(eventLine).hasPrefix(#"{"event":"snapshot","status":{"state":"cooldown","#))
        #expect(text(eventLine).hasSuffix("}\n"))
        let event = try reply(eventLine)
        #expect(event.isSnapshotEvent && event.event == "snapshot")
        #expect(event.id == nil && event.ok && event.failure == nil)
        #expect(event.status == status)
        #expect(Reply.encodeSnapshotEvent(status: status) == eventLine)
    }

    @Test(
        "malformed reply lines are refused",
        arguments: [
            "not json", "[]", "{}", #"{"ok":"yes"}"#, #"{"ok":true,"id":1.5}"#, #"{"ok":true,"id":[1]}"#,
            #"{"event":5}"#, #"{"ok":true,"status":{"state":"running"}}"#,
            #"{"event":"snapshot","status":[]}"#,
        ])
    func malformed(line: String) {
        #expect(throws: ReplyDecodingError.self) { try Reply.decode(line: line).get() }
    }

    @Test("replies written by other implementations decode")
    func foreignReplies() throws {
        let decoded = try Reply.decode(line: "{ \"ok\" : true , \"id\" : null, \"ticket\" : 17, \"waited_ms\": 3 }\n").get()
        #expect(decoded.id == nil && decoded.ticket == "17" && decoded.waitedMs == 3)
        let bytes = Array(#"{"id":"a","ok":true,"state":"paused"}"#.utf8)
        #expect(try Reply.decode(line: bytes[...]).get().state == .paused)
        let viaRaw = bytes.withUnsafeBytes { Reply.decode(line: $0) }
        #expect(try viaRaw.get().id == "a")
    }

    @Test("every reply is one line")
    func singleLine() {
        let lines = [
            Reply.encodeError(id: "a\nb", code: .timeout, message: "line1\nline2"),
            Reply.encodeOK(id: 1, fields: ["text": "x\ny"]),
            Reply.encodeStatus(id: 1, status: StatusFixtures.cooldown),
        ]
        for line in lines {
            #expect(line.last == UInt8(ascii: "\n"))
            #expect(line.dropLast().allSatisfy { $0 != UInt8(ascii: "\n") })
        }
    }
}
