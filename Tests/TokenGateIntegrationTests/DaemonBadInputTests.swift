import Foundation
import Testing
import TokenGateTestSupport
import TokenGateWire

extension OneAtATime {
    /// Hostile and broken input against the real daemon: each gets the contract's error code, changes
    /// nothing, and another client keeps being served throughout.
    @Suite("Daemon: bad input")
    struct DaemonBadInputTests {
        struct Case: Sendable, CustomTestStringConvertible {
            let name: String
            let bytes: [UInt8]
            let code: String
            var testDescription: String { name }

            init(_ name: String, _ text: String, _ code: String) {
                self.init(name, Array(text.utf8), code)
            }

            init(_ name: String, _ bytes: [UInt8], _ code: String) {
                self.name = name
                self.bytes = bytes + [UInt8(ascii: "\n")]
                self.code = code
            }
        }

        static let cases: [Case] = [
            Case("invalid UTF-8", [0x7B, 0x22, 0x6F, 0x70, 0x22, 0x3A, 0x22, 0xFF, 0xFE, 0x22, 0x7D], "bad_json"),
            Case("text that is not JSON", "hello daemon", "bad_json"),
            Case("a JSON array", #"[{"op":"status"}]"#, "bad_request"),
            Case("a missing op", #"{"id":1,"tokens":5}"#, "bad_request"),
            Case("an op that is not a string", #"{"op":7}"#, "bad_request"),
            Case("tokens as a string", #"{"op":"acquire","tokens":"100"}"#, "bad_request"),
            Case("input as a bool", #"{"op":"report","input":true,"output":1}"#, "bad_request"),
            Case("a negative count", #"{"op":"report","input":-5,"output":1}"#, "bad_request"),
            Case("2^63", #"{"op":"report","input":9223372036854775808,"output":1}"#, "bad_request"),
            Case("2^53", #"{"op":"acquire","tokens":9007199254740992}"#, "bad_request"),
            Case("a fractional count", #"{"op":"report","input":1.5,"output":1}"#, "bad_request"),
            Case("a missing required field", #"{"op":"report","input":1}"#, "bad_request"),
            Case("an unknown op", #"{"op":"explode"}"#, "unknown_op"),
            Case("a worker name with spaces", #"{"op":"hello","worker":"a b","v":1}"#, "bad_request"),
            Case("a threshold above 1", #"{"op":"set_limit","threshold":1.5}"#, "bad_request"),
            Case("a zero limit", #"{"op":"set_limit","limit":0}"#, "bad_request"),
            Case("a subscribe interval under 50 ms", #"{"op":"subscribe","interval_ms":10}"#, "bad_request"),
            Case("release of an unknown ticket", #"{"op":"release","ticket":"nope-1"}"#, "unknown_ticket"),
        ]

        @Test("each bad request gets its error code and changes nothing", arguments: cases)
        func badRequest(_ badCase: Case) async throws {
            try await DaemonProcess.with(arguments: ["--limit", "1000"]) { daemon in
                let client = try LineClient(path: daemon.socketPath)
                // Some state worth protecting: a grant outstanding, usage in the window.
                let grant = try client.request(#"{"op":"acquire","tokens":300,"id":"g"}"#)
                #expect(grant["ok"] == .bool(true))
                _ = try client.request(#"{"op":"report","input":100,"output":20}"#)
                let before = try client.status()

                try client.send(bytes: badCase.bytes)
                let reply = try client.readReply()
                #expect(reply["ok"] == .bool(false))
                #expect(reply["error"]?.stringValue == badCase.code, "reply: \(reply.jsonText)")
                #expect(reply["message"]?.stringValue?.isEmpty == false)

                // The connection stays usable and the state is unchanged.
                let after = try client.status()
                #expect(after.used == before.used)
                #expect(after.reserved == before.reserved)
                #expect(after.inFlight == before.inFlight)
                #expect(after.waiting == before.waiting)
                #expect(after.limit == before.limit && after.threshold == before.threshold)
            }
        }

        @Test("the request id is echoed on errors when it could be read")
        func idEcho() async throws {
            try await DaemonProcess.with { daemon in
                let client = try LineClient(path: daemon.socketPath)
                let numeric = try client.request(#"{"op":"nope","id":42}"#)
                #expect(numeric["id"] == .integer(42))
                let text = try client.request(#"{"op":"report","input":-1,"output":0,"id":"r-1"}"#)
                #expect(text["id"]?.stringValue == "r-1")
                #expect(text["error"]?.stringValue == "bad_request")
            }
        }

        @Test("a report for a ticket already settled records the usage and warns unknown_ticket")
        func reportTwice() async throws {
            try await DaemonProcess.with { daemon in
                let client = try LineClient(path: daemon.socketPath)
                let grant = try client.request(#"{"op":"acquire","tokens":50}"#)
                let ticket = try #require(grant["ticket"]?.stringValue)
                let first = try client.request(#"{"op":"report","ticket":"\#(ticket)","input":10,"output":5}"#)
                #expect(first["ok"] == .bool(true) && first["warning"] == nil)
                let second = try client.request(#"{"op":"report","ticket":"\#(ticket)","input":10,"output":5}"#)
                #expect(second["ok"] == .bool(true))
                #expect(second["warning"]?.stringValue == "unknown_ticket")
                #expect(try client.status().used == 30)
            }
        }

        @Test("a 70 KB line gets line_too_long and the connection is closed; others are unaffected")
        func lineTooLong() async throws {
            try await DaemonProcess.with { daemon in
                let bystander = try LineClient(path: daemon.socketPath)
                let client = try LineClient(path: daemon.socketPath)
                let padding = String(repeating: "x", count: 70_000)
                try client.send(#"{"op":"status","pad":"\#(padding)"}"#)
                let reply = try client.readReply()
                #expect(reply["error"]?.stringValue == "line_too_long")
                #expect(try client.isClosedByPeer())
                #expect(try bystander.status().state == .running)
            }
        }

        @Test("a partial line and a flood of garbage never delay another client")
        func othersKeepBeingServed() async throws {
            try await DaemonProcess.with { daemon in
                let stuck = try LineClient(path: daemon.socketPath)
                try stuck.send(bytes: Array(#"{"op":"acquire","tokens":"#.utf8))
                let flooder = try LineClient(path: daemon.socketPath)
                let bystander = try LineClient(path: daemon.socketPath)
                for round in 0..<200 {
                    try flooder.send("garbage \(round)")
                    let started = Date()
                    _ = try bystander.status()
                    #expect(Date().timeIntervalSince(started) < 1.0, "status took too long during the flood")
                }
                for _ in 0..<200 {
                    #expect(try flooder.readReply()["error"]?.stringValue == "bad_json")
                }
            }
        }
    }
}
