import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// A scripted provider on 127.0.0.1 (a free port), plain or TLS, for the gateway's tests: each
/// request is recorded and answered by the script, step by step (bytes, pauses, a hang, a cut).
final class FakeUpstream: Sendable {
    struct Recorded: Sendable {
        var method: String
        var uri: String
        var headers: [(String, String)]
        var body: [UInt8]

        func header(_ name: String) -> String? {
            headers.last { $0.0.lowercased() == name.lowercased() }?.1
        }

        var bodyText: String { String(decoding: body, as: UTF8.self) }
    }

    enum Step: Sendable {
        case send(String)
        case wait(milliseconds: Int64)
        /// Never answers further (the connection stays open).
        case hang
        /// Closes the connection now.
        case close
    }

    struct Reply: Sendable {
        /// 0: no response at all (the upstream hangs before its head).
        var status: Int = 200
        var headers: [(String, String)] = []
        var steps: [Step] = []

        /// Never answers.
        static let silent = Reply(status: 0)

        /// A JSON body with its content-length.
        static func json(_ text: String, status: Int = 200, headers: [(String, String)] = []) -> Reply {
            Reply(
                status: status,
                headers: [("content-type", "application/json"), ("content-length", "\(text.utf8.count)")] + headers,
                steps: [.send(text)]
            )
        }

        /// A server-sent event stream, chunked, `gap` between events.
        static func events(_ events: [String], gapMilliseconds: Int64 = 0, headers: [(String, String)] = []) -> Reply {
            var steps: [Step] = []
            for (index, event) in events.enumerated() {
                if index > 0, gapMilliseconds > 0 { steps.append(.wait(milliseconds: gapMilliseconds)) }
                steps.append(.send(event))
            }
            return Reply(status: 200, headers: [("content-type", "text/event-stream")] + headers, steps: steps)
        }
    }

    typealias Script = @Sendable (Recorded) -> Reply

    private let group: MultiThreadedEventLoopGroup
    private let channel: Channel
    private let state: NIOLockedValueBox<State>
    let port: Int
    let scheme: String

    struct State {
        var recorded: [Recorded] = []
        /// Connections the peer closed while a reply was still being sent.
        var cutByPeer = 0
        var openConnections = 0
    }

    private init(group: MultiThreadedEventLoopGroup, channel: Channel, state: NIOLockedValueBox<State>, tls: Bool) {
        self.group = group
        self.channel = channel
        self.state = state
        self.port = channel.localAddress?.port ?? 0
        self.scheme = tls ? "https" : "http"
    }

    /// `http://127.0.0.1:PORT` (or https).
    var url: String { "\(scheme)://127.0.0.1:\(port)" }

    var recorded: [Recorded] { state.withLockedValue { $0.recorded } }
    var cutByPeer: Int { state.withLockedValue { $0.cutByPeer } }

    /// Starts serving `script`; with `tls` (certificate and key PEM files) over TLS.
    static func start(tls: (certificate: String, key: String)? = nil, threads: Int = 1, script: @escaping Script) throws -> FakeUpstream {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        let state = NIOLockedValueBox(State())
        var sslContext: NIOSSLContext?
        if let tls {
            let configuration = TLSConfiguration.makeServerConfiguration(
                certificateChain: try NIOSSLCertificate.fromPEMFile(tls.certificate).map { .certificate($0) },
                privateKey: .privateKey(try NIOSSLPrivateKey(file: tls.key, format: .pem))
            )
            sslContext = try NIOSSLContext(configuration: configuration)
        }
        let context = sslContext
        let channel = try ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 512)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let context {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                    }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(ScriptHandler(script: script, state: state))
                }
            }
            .bind(host: "127.0.0.1", port: 0).wait()
        return FakeUpstream(group: group, channel: channel, state: state, tls: tls != nil)
    }

    func stop() {
        try? channel.close().wait()
        try? group.syncShutdownGracefully()
    }

    /// Runs `body` with a fake upstream, always stopping it.
    static func with<Result>(
        tls: (certificate: String, key: String)? = nil, script: @escaping Script, _ body: (FakeUpstream) async throws -> Result
    ) async throws -> Result {
        let upstream = try start(tls: tls, script: script)
        defer { upstream.stop() }
        return try await body(upstream)
    }
}

private final class ScriptHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let script: FakeUpstream.Script
    let state: NIOLockedValueBox<FakeUpstream.State>
    var head: HTTPRequestHead?
    var body: [UInt8] = []
    var replying = false

    init(script: @escaping FakeUpstream.Script, state: NIOLockedValueBox<FakeUpstream.State>) {
        self.script = script
        self.state = state
    }

    func channelActive(context: ChannelHandlerContext) {
        state.withLockedValue { $0.openConnections += 1 }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        let cut = replying
        state.withLockedValue {
            $0.openConnections -= 1
            if cut { $0.cutByPeer += 1 }
        }
        replying = false
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = []
        case .body(let buffer):
            body.append(contentsOf: buffer.readableBytesView)
        case .end:
            guard let head else { return }
            let recorded = FakeUpstream.Recorded(
                method: head.method.rawValue, uri: head.uri, headers: head.headers.map { ($0.name, $0.value) }, body: body
            )
            state.withLockedValue { $0.recorded.append(recorded) }
            let reply = script(recorded)
            replying = true
            guard reply.status > 0 else { return }
            var headers = HTTPHeaders()
            for (name, value) in reply.headers { headers.add(name: name, value: value) }
            replying = true
            context.write(
                wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .init(statusCode: reply.status), headers: headers))),
                promise: nil
            )
            context.flush()
            run(reply.steps[...], context: context)
        }
    }

    private func run(_ steps: ArraySlice<FakeUpstream.Step>, context: ChannelHandlerContext) {
        guard let step = steps.first else {
            replying = false
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            return
        }
        let rest = steps.dropFirst()
        switch step {
        case .send(let text):
            context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: text)))), promise: nil)
            run(rest, context: context)
        case .wait(let milliseconds):
            context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(milliseconds)) {
                guard self.replying else { return }
                self.run(rest, context: context)
            }
        case .hang:
            return
        case .close:
            replying = false
            context.close(promise: nil)
        }
    }
}
