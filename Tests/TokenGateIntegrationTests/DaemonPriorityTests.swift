import Foundation
import Testing
import TokenGateTestSupport
import TokenGateWire

extension OneAtATime {
    /// Contract v2, "Priorities and per-worker control", against the real binary: the wire and the CLI.
    @Suite("Daemon: priorities and per-worker control")
    struct DaemonPriorityTests {
        static let arguments = ["--limit", "1000", "--threshold", "1", "--window", "30"]

        @Test("queued acquires are granted high before normal before low; status shows the priority mix")
        func priorityOrder() async throws {
            try await DaemonProcess.with(arguments: Self.arguments) { daemon in
                let client = try LineClient(path: daemon.socketPath)
                let held = try #require(try client.request(#"{"op":"acquire","tokens":1000,"worker":"filler"}"#)["ticket"]?.stringValue)
                try client.send(#"{"op":"acquire","id":"low","tokens":100,"priority":"low","worker":"batch"}"#)
                try client.send(#"{"op":"acquire","id":"normal","tokens":100,"worker":"agent"}"#)
                try client.send(#"{"op":"acquire","id":"high","tokens":100,"priority":"high","worker":"person"}"#)
                var status = try client.status()
                while status.waiting < 3 { status = try client.status() }
                #expect(status.queueByPriority == PriorityCounts(high: 1, normal: 1, low: 1))
                #expect(status.pools?.first?.queueByPriority == PriorityCounts(high: 1, normal: 1, low: 1))
                #expect(status.queue?.priority == .high && status.queue?.worker == "person")
                let batch = try #require(status.workers.first { $0.worker == "batch" })
                #expect(batch.waiters?.map(\.priority) == [.low] && batch.waiters?.first?.estimate == 100)
                let filler = try #require(status.workers.first { $0.worker == "filler" })
                #expect(filler.tickets?.map(\.ticket) == [held] && filler.tickets?.first?.reserved == 1000)
                #expect(filler.paused == false && filler.cap == nil)
                #expect(try client.request(#"{"op":"release","ticket":"\#(held)"}"#)["ok"] == true)
                var order: [String] = []
                while order.count < 3 {
                    let reply = try client.readReply()
                    if reply["ticket"] != nil, let id = reply["id"]?.stringValue { order.append(id) }
                }
                #expect(order == ["high", "normal", "low"])
                let bad = try client.request(#"{"op":"acquire","priority":"urgent"}"#)
                #expect(bad["error"] == "bad_request")
                #expect(bad["message"]?.stringValue?.contains(#""high", "normal", "low""#) == true)
            }
        }

        @Test("--reserve-high keeps a share for high priority; a bad value exits 2 with one line")
        func reserve() async throws {
            try await DaemonProcess.with(arguments: Self.arguments + ["--reserve-high", "0.5"]) { daemon in
                let client = try LineClient(path: daemon.socketPath)
                #expect(try client.request(#"{"op":"acquire","tokens":400}"#)["ticket"] != nil)
                let normal = try client.request(#"{"op":"acquire","tokens":200,"timeout_ms":100}"#)
                #expect(normal["error"] == "timeout", "400 + 200 is over the 500 normal grants may fill")
                #expect(try client.request(#"{"op":"acquire","tokens":500,"priority":"high","timeout_ms":100}"#)["ticket"] != nil)
                #expect(try client.status().reserveHigh == 0.5)
            }
            for value in ["1", "-0.1", "x"] {
                let run = try await CommandRun.tokengate(["serve", "--reserve-high", value, "--no-state", "--socket", "/tmp/tg-unused.sock"])
                #expect(run.status == 2, "\(run)")
                #expect(run.stderr.contains("--reserve-high"), "\(run)")
            }
        }

        @Test("a paused worker is passed over while others go; its tickets finish; resume lets it in (wire and CLI)")
        func pauseWorker() async throws {
            try await DaemonProcess.with(arguments: Self.arguments) { daemon in
                let socket = ["--socket", daemon.socketPath]
                let client = try LineClient(path: daemon.socketPath)
                let held = try #require(try client.request(#"{"op":"acquire","tokens":100,"worker":"crawler"}"#)["ticket"]?.stringValue)
                let paused = try await CommandRun.tokengate(["pause", "--worker", "crawler"] + socket)
                #expect(paused.status == 0 && paused.stdout == "worker crawler: paused\n", "\(paused)")
                try client.send(#"{"op":"acquire","id":"c","tokens":100,"worker":"crawler"}"#)
                #expect(try client.request(#"{"op":"acquire","id":"o","tokens":100,"worker":"other"}"#)["ticket"] != nil)
                let status = try client.status()
                let crawler = try #require(status.workers.first { $0.worker == "crawler" })
                #expect(crawler.paused == true && crawler.waiting == 1 && crawler.inFlight == 1)
                #expect(status.state == .running)
                #expect(try client.request(#"{"op":"report","ticket":"\#(held)","input":50,"output":10}"#)["warning"] == nil)
                let resumed = try client.request(#"{"op":"resume","worker":"crawler"}"#)
                #expect(resumed["paused"] == false && resumed["worker"] == "crawler")
                let grant = try client.readReply()
                #expect(grant["id"] == "c" && grant["ticket"] != nil)
                let mixed = try await CommandRun.tokengate(["pause", "--worker", "crawler", "--pool", "default"] + socket)
                #expect(mixed.status == 2 && mixed.stderr.contains("drop --pool"), "\(mixed)")
            }
        }

        @Test("a capped worker stays within cap x limit and others pass it; --cap none lifts it (wire and CLI)")
        func capWorker() async throws {
            try await DaemonProcess.with(arguments: Self.arguments) { daemon in
                let socket = ["--socket", daemon.socketPath]
                let client = try LineClient(path: daemon.socketPath)
                let capped = try await CommandRun.tokengate(["limit", "--worker", "batch", "--cap", "0.3"] + socket)
                #expect(capped.status == 0 && capped.stdout == "worker batch: cap 0.3 of each limit\n", "\(capped)")
                #expect(try client.request(#"{"op":"acquire","tokens":250,"worker":"batch"}"#)["ticket"] != nil)
                try client.send(#"{"op":"acquire","id":"b","tokens":100,"worker":"batch"}"#)
                #expect(try client.request(#"{"op":"acquire","id":"o","tokens":600,"worker":"other"}"#)["ticket"] != nil)
                #expect(try client.status().workers.first { $0.worker == "batch" }?.cap == 0.3)
                let lifted = try await CommandRun.tokengate(["limit", "--worker", "batch", "--cap", "none"] + socket)
                #expect(lifted.status == 0 && lifted.stdout == "worker batch: no cap\n", "\(lifted)")
                let grant = try client.readReply()
                #expect(grant["id"] == "b" && grant["ticket"] != nil)
                try client.send(#"{"op":"status"}"#)
                let reply = try client.readLine()
                #expect(reply.contains(#""worker":"batch""#) && reply.contains(#""paused":false,"cap":null"#), "\(reply)")

                let missing = try client.request(#"{"op":"set_limit","worker":"batch"}"#)
                #expect(missing["error"] == "bad_request")
                #expect(missing["message"]?.stringValue?.contains(#"needs "cap""#) == true)
                let bad = try await CommandRun.tokengate(["limit", "--worker", "batch", "--cap", "1.5"] + socket)
                #expect(bad.status == 2 && bad.stderr.contains("--cap must be a fraction"), "\(bad)")
            }
        }

        @Test("acquire --priority takes high, normal or low; anything else is a usage error")
        func acquireCommand() async throws {
            try await DaemonProcess.with(arguments: Self.arguments) { daemon in
                let socket = ["--socket", daemon.socketPath]
                let granted = try await CommandRun.tokengate(["acquire", "--tokens", "10", "--priority", "high"] + socket)
                #expect(granted.status == 0 && !granted.stdout.isEmpty, "\(granted)")
                let bad = try await CommandRun.tokengate(["acquire", "--priority", "urgent"] + socket)
                #expect(bad.status == 2 && bad.stderr.contains("--priority must be high, normal or low"), "\(bad)")
            }
        }
    }
}
