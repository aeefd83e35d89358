import ArgumentParser
import Foundation
import TokenGateClient
import TokenGateWire

/// How the one-shot commands (`status`, `pause`, `acquire`, ...) talk to the daemon: one connection,
/// no reconnecting, and the contract's exit codes for what goes wrong.
enum DaemonSession {
    /// Connects to the daemon at `socketPath` (as `worker`, when given), runs `body`, closes.
    ///
    /// A client error is printed as one line on stderr, with the next step to take, and becomes the contract's exit code: 3 when
    /// the daemon is not reachable (or stopping, or gone mid-call), 4 when an acquire timed out, 1
    /// otherwise.
    static func run<Result>(
        socketPath: String, worker: String? = nil, _ body: (TokenGateClient) async throws -> Result
    ) async throws -> Result {
        let client = TokenGateClient(
            socketPath: socketPath, worker: worker, options: TokenGateClientOptions(reconnects: false))
        do {
            try await client.connect()
            let result = try await body(client)
            await client.close()
            return result
        } catch let error as TokenGateClientError {
            await client.close()
            printError(NextStepHints.message(for: error))
            throw exitCode(for: error)
        } catch {
            await client.close()
            throw error
        }
    }

    /// The contract's exit code for a client error.
    static func exitCode(for error: TokenGateClientError) -> ExitCode {
        if error.isUnreachable { return .unreachable }
        if case .timedOut = error { return .timedOut }
        if case .invalidArgument = error { return .usage }
        return .failed
    }

    /// Writes `tokengate: <message>` as one line on stderr.
    static func printError(_ message: String) {
        let line = "tokengate: " + message.replacingOccurrences(of: "\n", with: " ") + "\n"
        FileHandle.standardError.write(Data(line.utf8))
    }
}

/// Checks shared by the commands' `validate()`.
enum ArgumentChecks {
    /// A token count the protocol carries: 0 to 2^53-1.
    static func tokenCount(_ value: Int64?, _ flag: String) throws {
        guard let value else { return }
        guard value >= 0, value <= WireLimits.maxCount else {
            throw ValidationError("\(flag) must be a whole number from 0 to 2^53-1, got \(value)")
        }
    }

    /// A worker name: 1 to 64 of `A-Za-z0-9._:-`.
    static func workerName(_ name: String?) throws {
        guard let name else { return }
        guard WireLimits.isValidWorkerName(name) else {
            throw ValidationError("--worker must be 1 to 64 characters of A-Z a-z 0-9 . _ : -, got \"\(name)\"")
        }
    }
}
