import Foundation
import TokenGateClient
import TokenGateDashboard

/// The demo's dashboard, ended by the operator or by `--duration`.
enum DemoDashboard {
    static func run(client: TokenGateClient, socketPath: String, options: DashboardOptions, duration: Double?) async -> Int32 {
        let link = ClientDashboardLink(client: client, intervalMs: 250)
        return await withTaskGroup(of: Int32.self) { group in
            group.addTask {
                do {
                    var options = options
                    options.quitText = "quit (stops the demo and its daemon)"
                    return try await runDashboard(link: link, socketLabel: "demo \(socketPath)", options: options)
                } catch {
                    FileHandle.standardError.write(Data("tokengate: \(error)\n".utf8))
                    return 1
                }
            }
            if let duration {
                group.addTask {
                    try? await Task.sleep(for: .milliseconds(Int64(duration * 1000)))
                    return 0
                }
            }
            let first = await group.next() ?? 0
            group.cancelAll()
            return first
        }
    }
}
