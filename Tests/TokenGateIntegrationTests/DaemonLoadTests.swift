import Foundation
import Testing
import TokenGateTestSupport

extension OneAtATime {
    /// The short CI version of scripts/load.sh (1,000 connections for 60 s) and of the restart under
    /// load (scripts/restart-under-load.sh): the same scripts, smaller and shorter.
    @Suite("Daemon: load", .enabled(if: HardeningScript.python != nil, "needs python3"))
    struct DaemonLoadTests {
        @Test("200 connections with mixed operations for 3 s: no unexpected error, no window over the limit")
        func mixedLoad() async throws {
            try await DaemonProcess.with(arguments: ["--limit", "200000", "--log-level", "warning"]) { daemon in
                let pid = try #require(daemon.pid)
                let script = try await HardeningScript.run("load.py", [
                    "--socket", daemon.socketPath, "--pid", "\(pid)", "--connections", "200", "--duration", "3",
                    "--limit", "200000", "--window", "2", "--threshold", "0.9", "--hold", "0.05", "--think", "0.05",
                ])
                let result = try script.result()
                #expect(script.run.status == 0, "\(script.run)")
                #expect(result.int("unexpected_errors") == 0, "\(result)")
                #expect(result.int("grants") > 100, "the load was too light to mean anything: \(result)")
                #expect(result.int("window_peak_tokens") <= 200_000, "\(result)")
                #expect(result.int("snapshots_received") > 0, "\(result)")
                // Every connection was served and has gone: the daemon is as idle as it started.
                let status = try LineClient(path: daemon.socketPath).status()
                #expect(status.inFlight == 0 && status.waiting == 0)
            }
        }

        @Test("SIGKILL while 16 clients hold grants: the restarted daemon keeps them, no window over the limit")
        func restartUnderLoad() async throws {
            let binary = try TokenGateBinary.require()
            let script = try await HardeningScript.run("restart.py", [
                "--binary", binary, "--clients", "16", "--duration", "8", "--kills", "1", "--limit", "40000",
                "--window", "2", "--min-tokens", "1000", "--max-tokens", "3000", "--hold", "1.6",
            ], timeout: 120)
            let result = try script.result()
            #expect(script.run.status == 0, "\(script.run)")
            #expect(result.int("unexpected_count") == 0, "\(result)")
            #expect(result.int("grants") > 20, "\(result)")
            #expect(result.int("window_peak_tokens") <= 40_000, "\(result)")
            let recovery = (result["recovery_log"] as? [String])?.joined() ?? ""
            #expect(recovery.contains("open_grants"), "\(result)")
        }
    }
}
