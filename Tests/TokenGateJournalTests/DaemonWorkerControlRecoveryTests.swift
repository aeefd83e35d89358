import Foundation
import Testing
import TokenGateTestSupport
import TokenGateWire

extension OneAtATime {
    /// Against the real `tokengate` binary: a worker's pause and cap survive a restart.
    @Suite("Real binary: worker controls after a restart")
    struct DaemonWorkerControlRecoveryTests {
        @Test("a worker paused or capped before a restart is still paused or capped after it; one resumed and uncapped is not")
        func restart() throws {
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let socket = directory.file("s.sock")
            let arguments = ["--state", directory.file("u.sqlite"), "--window", "30", "--limit", "1000", "--log-level", "warning"]

            try DaemonProcess.withBlocking(socket: socket, arguments: arguments, directory: directory, logName: "1.log") { daemon in
                let client = try daemon.client()
                #expect(try client.request(#"{"op":"pause","worker":"crawler"}"#)["paused"] == true)
                #expect(try client.request(#"{"op":"set_limit","worker":"batch","cap":0.25}"#)["cap"] == 0.25)
                #expect(try client.request(#"{"op":"pause","worker":"gone"}"#)["ok"] == true)
                #expect(try client.request(#"{"op":"set_limit","worker":"gone","cap":0.5}"#)["ok"] == true)
                #expect(try client.request(#"{"op":"resume","worker":"gone"}"#)["paused"] == false)
                #expect(try client.request(#"{"op":"set_limit","worker":"gone","cap":null}"#)["cap"] == .null)
                usleep(400_000)  // more than one commit interval
                daemon.kill9()
            }

            try DaemonProcess.withBlocking(socket: socket, arguments: arguments, directory: directory, logName: "2.log") { daemon in
                let client = try daemon.client()
                let status = try client.status()
                let workers = Dictionary(uniqueKeysWithValues: status.workers.map { ($0.worker, $0) })
                #expect(workers["crawler"]?.paused == true && workers["crawler"]?.cap == nil)
                #expect(workers["batch"]?.paused == false && workers["batch"]?.cap == 0.25)
                #expect(workers["gone"] == nil, "a worker left resumed and uncapped is not restored: \(status.workers)")
                // The cap is in force: 250 of 1000 for batch, others pass it.
                #expect(try client.request(#"{"op":"acquire","tokens":250,"worker":"batch"}"#)["ticket"] != nil)
                #expect(try client.request(#"{"op":"acquire","tokens":10,"worker":"batch","timeout_ms":100}"#)["error"] == "timeout")
                #expect(try client.request(#"{"op":"acquire","tokens":10,"worker":"crawler","timeout_ms":100}"#)["error"] == "timeout")
                #expect(try client.request(#"{"op":"acquire","tokens":10,"worker":"other","timeout_ms":100}"#)["ticket"] != nil)
            }
        }
    }
}
