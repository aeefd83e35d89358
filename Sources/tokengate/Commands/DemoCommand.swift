import ArgumentParser
import Foundation
import Logging
import TokenGateClient
import TokenGateCore
import TokenGateDashboard
import TokenGateServer
import TokenGateWire

/// `tokengate demo`: a daemon, synthetic workers and the dashboard, all in one process.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run a daemon with synthetic workers and watch it live.",
        discussion: """
            Starts a daemon in this process on a temporary socket, runs synthetic workers that go \
            through the real socket (heavy-tailed request sizes, streams that take seconds before \
            they report, now and then a simulated 429), and opens the dashboard on it. The keys act \
            on the demo's daemon: try p (pause), + and - (limit). With --headless it prints one \
            status line a second instead.

            Examples:
              tokengate demo
              tokengate demo --workers 32 --limit 400000
              tokengate demo --headless --duration 10
            """
    )

    @Option(help: ArgumentHelp("Synthetic workers.", valueName: "n"))
    var workers: Int = 8

    @Option(help: ArgumentHelp("Tokens per window.", valueName: "tokens"))
    var limit: Int64 = 150_000

    @Option(help: ArgumentHelp("Window length in seconds.", valueName: "seconds"))
    var window: Double = 30

    @Option(help: ArgumentHelp("Stop after this many seconds (default: run until quit).", valueName: "seconds"))
    var duration: Double?

    @Flag(help: "Print one status line a second instead of the dashboard.")
    var headless = false

    @Option(help: ArgumentHelp("Seed of the synthetic traffic.", valueName: "n"))
    var seed: UInt64 = 1

    @OptionGroup var look: DashboardFlags

    func validate() throws {
        guard (1...1000).contains(workers) else { throw ValidationError("--workers must be between 1 and 1000") }
        guard window.isFinite, window > 0 else { throw ValidationError("--window must be a positive number of seconds") }
        if let duration, !(duration.isFinite && duration > 0) {
            throw ValidationError("--duration must be a positive number of seconds")
        }
    }

    func run() async throws {
        let gate: GateConfiguration
        do {
            gate = try GateConfiguration(tokenLimit: limit, window: .seconds(window))
        } catch {
            throw ValidationError(error.description)
        }
        let directory = "/tmp/tokengate-demo-\(getpid())"
        let socketPath = directory + "/tokengate.sock"
        var logger = Logger(label: "tokengate-demo", factory: { _ in SwiftLogNoOpLogHandler() })
        if headless {
            logger = Logger(label: "tokengate-demo")
            logger.logLevel = .warning
        }
        let server: GateServer
        do {
            server = try await GateServer(
                configuration: ServerConfiguration(socketPath: socketPath, gate: gate, version: TokenGateVersion.string),
                logger: logger
            )
        } catch let error as ServerStartError {
            throw failure(error.description)
        }
        defer { rmdir(directory) }
        let meanTokens = Double(limit) / window * 2.5 / Double(workers)
        let code = await withTaskGroup(of: Int32?.self) { group -> Int32 in
            group.addTask {
                try? await server.run()
                return nil
            }
            for index in 0..<workers {
                let worker = SyntheticWorker(
                    name: String(format: "worker-%02d", index + 1), socketPath: socketPath,
                    seed: seed &* 1_000_003 &+ UInt64(index), meanTokens: max(200, meanTokens)
                )
                group.addTask {
                    await worker.run()
                    return nil
                }
            }
            group.addTask { [headless, look, duration] in
                let watcher = TokenGateClient(socketPath: socketPath, worker: "demo-dashboard")
                defer { Task { await watcher.close() } }
                if headless {
                    await DemoHeadless.printStatusLines(client: watcher, duration: duration)
                    return 0
                }
                return await DemoDashboard.run(client: watcher, socketPath: socketPath, options: look.options, duration: duration)
            }
            var code: Int32 = 0
            for await result in group {
                if let result {
                    code = result
                    break
                }
            }
            server.shutdown()
            group.cancelAll()
            return code
        }
        if code != 0 { throw ExitCode(code) }
    }
}
