import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix
import TokenGateCore

/// `tokengate bench gateway`: what the HTTP gateway adds to a stream's first and last byte.
struct BenchGatewayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gateway",
        abstract: "Measure the latency the HTTP gateway adds, against the same requests sent straight upstream.",
        discussion: """
            Starts a fake Anthropic upstream in this process (every POST /v1/messages gets the same \
            server-sent event stream, sent at once, or with --event-interval-ms one event at a time as a \
            model streams its tokens, the streams then starting evenly spread over one stream's length) and `tokengate serve --gateway` (this executable) \
            in front of it with a limit that never binds. For each concurrency, N streams run back to \
            back for --duration seconds straight to the upstream, then as long through the gateway, \
            from the same HTTP client; the first byte is the first body chunk, the last byte the end \
            of the body, both from just before the request is sent. Percentiles are exact. The \
            daemon's CPU time (user + system, from /proc) in each gateway case is divided by its requests. The \
            daemon's resident memory per open stream (measured first, on the fresh daemon): --hold \
            streams held open at once.

            Examples:
              tokengate bench gateway
              tokengate bench gateway --duration 10 --streams 1,16,64,256
              tokengate bench gateway --event-interval-ms 20   # 20 events over 0.4 s per stream
            """
    )

    @Option(help: ArgumentHelp("Concurrent stream counts, comma-separated.", valueName: "list"))
    var streams: String = "1,16,64"

    @Option(help: ArgumentHelp("Seconds per case (each of direct and gateway).", valueName: "seconds"))
    var duration: Double = 4

    @Option(help: ArgumentHelp("Events per stream.", valueName: "n"))
    var events: Int = 20

    @Option(
        name: .customLong("event-interval-ms"),
        help: ArgumentHelp("Milliseconds between a stream's events (0: the whole stream at once, back to back).", valueName: "ms")
    )
    var eventIntervalMs: Int = 0

    @Option(help: ArgumentHelp("Streams held open at once for memory per stream (0: skip).", valueName: "n"))
    var hold: Int = 128

    private var streamCounts: [Int] {
        streams.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    }

    func validate() throws {
        let counts = streamCounts
        guard !counts.isEmpty, counts.count == streams.split(separator: ",").count, counts.allSatisfy({ (1...1000).contains($0) })
        else { throw ValidationError("--streams takes counts from 1 to 1000, comma-separated") }
        guard duration.isFinite, duration > 0 else { throw ValidationError("--duration must be positive") }
        guard (2...10_000).contains(events) else { throw ValidationError("--events must be from 2 to 10000") }
        guard (0...10_000).contains(eventIntervalMs) else { throw ValidationError("--event-interval-ms must be from 0 to 10000") }
        guard (0...2000).contains(hold) else { throw ValidationError("--hold must be from 0 to 2000") }
    }

    func run() async throws {
        print("tokengate bench gateway: \(MachineDescription.current()), load average \(Self.loadAverage())")
        print(BuildConfiguration.benchmarkLine)
        if BuildConfiguration.isDebug { DaemonSession.printError(BuildConfiguration.benchmarkLine) }
        let upstream = try await BenchUpstream(events: events, eventInterval: .milliseconds(Int64(eventIntervalMs)), threads: 1)
        let streamBytes = BenchUpstream.stream(events: events).joined().utf8.count
        let port = try Self.freePort()
        let daemon: BenchDaemon
        do {
            daemon = try await BenchDaemon(arguments: [
                "--limit", "9007199254740991", "--gateway", "127.0.0.1:\(port)", "--upstream", "http://127.0.0.1:\(upstream.port)",
            ])
        } catch {
            await upstream.stop()
            throw failure("bench gateway: \(error)")
        }
        let clientGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        var configuration = HTTPClient.Configuration(decompression: .disabled)
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 2048
        configuration.httpVersion = .http1Only
        let client = HTTPClient(eventLoopGroupProvider: .shared(clientGroup), configuration: configuration)
        do {
            let pacing = eventIntervalMs == 0 ? "sent at once" : "one every \(eventIntervalMs) ms; the streams start spread over one stream's length"
            print("streams: \(events) events (\(pacing)), \(streamBytes) bytes each, one HTTP/1.1 keep-alive connection per stream; \(formatDecimal(duration, places: 1)) s per case")
            print("client: AsyncHTTPClient on one event loop in this process; upstream: NIO on one event loop in this process\n")
            let direct = "http://127.0.0.1:\(upstream.port)/v1/messages"
            let gateway = "http://127.0.0.1:\(port)/w/bench/v1/messages"
            // Memory first, on the fresh daemon: later runs leave the allocator's pages resident.
            let memory = hold > 0 ? try await memoryPerStream(client: client, url: gateway, daemonPID: daemon.pid) : nil
            let header = ["streams", "path", "requests", "first p50", "first p99", "last p50", "last p99"]
            var rows: [[String]] = []
            var added: [(Int, Int64, Int64, Int64, Int64)] = []
            var daemonCPU: [String] = []
            for count in streamCounts {
                _ = try await measure(client: client, url: gateway, streams: count, seconds: min(1, duration / 4))
                let straight = try await measure(client: client, url: direct, streams: count, seconds: duration)
                let before = ProcessUsage.read(pid: daemon.pid)
                let through = try await measure(client: client, url: gateway, streams: count, seconds: duration)
                if let before, let after = ProcessUsage.read(pid: daemon.pid) {
                    let perRequest = (after.cpuSeconds - before.cpuSeconds) / Double(max(through.requests, 1)) * 1e6
                    daemonCPU.append(
                        "\(count) streams \(formatDecimal(after.cpuPercent(since: before), places: 0)) % of one core, "
                            + "\(formatDecimal(perRequest, places: 0)) µs per request"
                    )
                }
                rows.append(Self.row(count, "direct", straight))
                rows.append(Self.row(count, "gateway", through))
                added.append((
                    count, through.first.p50Ns - straight.first.p50Ns, through.first.p99Ns - straight.first.p99Ns,
                    through.last.p50Ns - straight.last.p50Ns, through.last.p99Ns - straight.last.p99Ns
                ))
                FileHandle.standardError.write(Data("  done: \(count) streams\n".utf8))
            }
            Self.printTable(header: header, rows: rows)
            print("\nadded by the gateway (gateway - direct):")
            Self.printTable(
                header: ["streams", "first p50", "first p99", "last p50", "last p99"],
                rows: added.map { [String($0.0), Self.signed($0.1), Self.signed($0.2), Self.signed($0.3), Self.signed($0.4)] }
            )
            print("\ndaemon CPU (user + system) while the gateway cases ran:")
            for line in daemonCPU { print("  " + line) }
            if let memory { print("\nmemory: \(memory)") }
            print("load average after: \(Self.loadAverage())")
        } catch {
            try? await client.shutdown()
            try? await clientGroup.shutdownGracefully()
            daemon.stop()
            await upstream.stop()
            throw failure("bench gateway: \(error)")
        }
        try? await client.shutdown()
        try? await clientGroup.shutdownGracefully()
        daemon.stop()
        await upstream.stop()
    }

    struct Measured {
        var requests: Int
        var first: LatencySummary
        var last: LatencySummary
    }

    /// `streams` tasks, each sending requests back to back to `url` for `seconds`. Paced streams
    /// start evenly spread over one stream's length (and so stay spread): started together, they
    /// would arrive in lockstep, a burst of `streams` requests every stream, as no fleet of agents does.
    private func measure(client: HTTPClient, url: String, streams: Int, seconds: Double) async throws -> Measured {
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        let body = ByteBuffer(string: #"{"model":"bench","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"Hi"}]}"#)
        let samples = try await withThrowingTaskGroup(of: ([Int64], [Int64]).self) { group in
            let streamLength = Duration.milliseconds(Int64(eventIntervalMs) * Int64(max(0, events - 2)))
            for index in 0..<streams {
                group.addTask {
                    var first: [Int64] = []
                    var last: [Int64] = []
                    try await Task.sleep(for: streamLength * index / streams)
                    while ContinuousClock.now < deadline {
                        var request = HTTPClientRequest(url: url)
                        request.method = .POST
                        request.headers.add(name: "content-type", value: "application/json")
                        request.body = .bytes(body)
                        let start = ContinuousClock.now
                        let response = try await client.execute(request, timeout: .seconds(30))
                        guard response.status == .ok else { throw BenchError("\(url) answered \(response.status.code)") }
                        var firstAt: ContinuousClock.Instant?
                        for try await _ in response.body where firstAt == nil { firstAt = .now }
                        let end = ContinuousClock.now
                        first.append(Self.nanoseconds((firstAt ?? end) - start))
                        last.append(Self.nanoseconds(end - start))
                    }
                    return (first, last)
                }
            }
            var first: [Int64] = []
            var last: [Int64] = []
            for try await (f, l) in group {
                first += f
                last += l
            }
            return (first, last)
        }
        return Measured(requests: samples.0.count, first: LatencySummary(samples: samples.0), last: LatencySummary(samples: samples.1))
    }

    /// The daemon's resident memory with `hold` streams open at once, less before, per stream.
    private func memoryPerStream(client: HTTPClient, url: String, daemonPID: Int32) async throws -> String {
        try await Task.sleep(for: .milliseconds(300))
        guard let before = ProcessUsage.read(pid: daemonPID) else { return "not measured (no /proc)" }
        let holdMs: Int64 = 3000
        let opened = AsyncStream<Void>.makeStream()
        let body = ByteBuffer(string: #"{"model":"bench","max_tokens":64,"stream":true,"messages":[]}"#)
        let count = hold
        async let all: Void = withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<count {
                group.addTask {
                    var request = HTTPClientRequest(url: url)
                    request.method = .POST
                    request.headers.add(name: "x-bench-hold-ms", value: String(holdMs))
                    request.body = .bytes(body)
                    let response = try await client.execute(request, timeout: .seconds(30))
                    var signalled = false
                    for try await _ in response.body where !signalled {
                        signalled = true
                        opened.continuation.yield()
                    }
                }
            }
            try await group.waitForAll()
        }
        var seen = 0
        for await _ in opened.stream {
            seen += 1
            if seen == count { break }
        }
        try await Task.sleep(for: .milliseconds(500))
        let during = ProcessUsage.read(pid: daemonPID)
        try await all
        guard let during else { return "not measured (the daemon is gone)" }
        let per = Double(during.residentBytes - before.residentBytes) / Double(count)
        return "\(count) streams open at once: daemon RSS \(Self.mebibytes(before.residentBytes)) -> "
            + "\(Self.mebibytes(during.residentBytes)), \(formatDecimal(per / 1024, places: 1)) KiB per open stream"
    }

    // MARK: Formatting

    private static func row(_ count: Int, _ path: String, _ measured: Measured) -> [String] {
        [
            String(count), path, formatCount(measured.requests), formatLatency(measured.first.p50Ns),
            formatLatency(measured.first.p99Ns), formatLatency(measured.last.p50Ns), formatLatency(measured.last.p99Ns),
        ]
    }

    private static func printTable(header: [String], rows: [[String]]) {
        print(TextTable(header: header, rows: rows).render(), terminator: "")
    }

    private static func signed(_ nanoseconds: Int64) -> String {
        nanoseconds < 0 ? "-" + formatLatency(-nanoseconds) : "+" + formatLatency(nanoseconds)
    }

    private static func mebibytes(_ bytes: Int64) -> String {
        formatDecimal(Double(bytes) / 1_048_576, places: 1) + " MiB"
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        let parts = duration.components
        return parts.seconds * 1_000_000_000 + parts.attoseconds / 1_000_000_000
    }

    /// `/proc/loadavg`'s three averages.
    static func loadAverage() -> String {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return "unknown" }
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }

    /// A port on 127.0.0.1 nothing listens on now (bound and released).
    static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw BenchError("socket: errno \(errno)") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                bind(descriptor, raw, length) == 0 && getsockname(descriptor, raw, &length) == 0
            }
        }
        guard bound else { throw BenchError("bind: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
