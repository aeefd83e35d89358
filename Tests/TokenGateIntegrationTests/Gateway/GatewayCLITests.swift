import Foundation
import Testing
import TokenGateTestSupport

extension OneAtATime {
    /// `serve --gateway ...` refusing what it cannot serve, in one line and with the contract's codes.
    @Suite("Gateway: command line")
    struct GatewayCLITests {
        private func serve(_ arguments: [String]) async throws -> CommandRun {
            let directory = try TemporaryDirectory(prefix: "tg-gwcli")
            defer { directory.remove() }
            return try await CommandRun.tokengate(
                ["serve", "--socket", directory.file("d.sock"), "--no-state"] + arguments, timeout: 20
            )
        }

        @Test("usage errors exit 2 and say what is wrong", arguments: [
            (["--gateway", "nonsense"], "--gateway must be HOST:PORT"),
            (["--gateway", "0", "--upstream", "ftp://example.com"], "--upstream must be an http:// or https:// URL"),
            (["--gateway", "0", "--upstream", "https://user:secret@example.com"], "without credentials"),
            (["--gateway", "0", "--upstream-kind", "gemini"], "gemini"),
            (["--gateway", "0", "--gateway-max-wait", "0"], "--gateway-max-wait must be a positive number"),
            (["--gateway", "0", "--upstream-timeout", "-1"], "--upstream-timeout"),
        ] as [([String], String)])
        func usageErrors(arguments: [String], message: String) async throws {
            let run = try await serve(arguments)
            #expect(run.status == 2, "\(run)")
            #expect(run.stderr.contains(message), "\(run)")
            #expect(!run.stderr.contains("secret"), "credentials in a URL are not echoed")
        }

        @Test("an unreadable CA file or a gateway port in use stops the daemon at start: exit 1, one line")
        func startFailures() async throws {
            let ca = try await serve(["--gateway", "0", "--upstream-ca", "/nonexistent/ca.pem"])
            #expect(ca.status == 1, "\(ca)")
            #expect(ca.stderrLines.contains { $0.hasPrefix("tokengate: --upstream-ca /nonexistent/ca.pem") }, "\(ca)")
            try await FakeUpstream.with(script: { _ in .silent }) { busy in
                let taken = try await serve(["--gateway", "127.0.0.1:\(busy.port)"])
                #expect(taken.status == 1, "\(taken)")
                #expect(taken.stderrLines.contains { $0.hasPrefix("tokengate: cannot listen on 127.0.0.1:\(busy.port)") }, "\(taken)")
            }
        }
    }
}
