import NIOCore
import NIOEmbedded
import Testing
import TokenGateWire

/// The one line framer, the daemon's for requests and the client's for replies.
@Suite("Line framer")
struct LineFrameDecoderTests {
    /// Feeds `chunks` to a framer of `maxLength` and returns what it handed on, the end of the
    /// stream included when `finish` is set.
    static func frames(_ chunks: [String], maxLength: Int, finish: Bool = true) throws -> [String?] {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(LineFrameDecoder(maxLength: maxLength)))
        for chunk in chunks { try channel.writeInbound(ByteBuffer(string: chunk)) }
        if finish { _ = try channel.finish() }
        var frames: [String?] = []
        while let frame = try channel.readInbound(as: Frame.self) {
            switch frame {
            case .line(let line): frames.append(String(buffer: line))
            case .tooLong: frames.append(nil)
            }
        }
        return frames
    }

    @Test("lines split across and within chunks, without their newline or a CR before it")
    func splits() throws {
        #expect(try Self.frames(["ab", "c\nde\r\n", "\nf"], maxLength: 10) == ["abc", "de", ""])
    }

    @Test("a line of exactly the limit passes, with or without a CR; one byte more is too long")
    func limit() throws {
        let atLimit = String(repeating: "x", count: 8)
        #expect(try Self.frames([atLimit + "\n"], maxLength: 8) == [atLimit])
        #expect(try Self.frames([atLimit + "\r\n"], maxLength: 8) == [atLimit])
        #expect(try Self.frames([atLimit + "x\n", "next\n"], maxLength: 8) == [nil])
    }

    @Test("a line past the limit is reported once, before its newline arrives, and nothing after it is framed")
    func overflowWithoutNewline() throws {
        let long = String(repeating: "y", count: 20)
        #expect(try Self.frames(["ok\n", long], maxLength: 8, finish: false) == ["ok", nil])
        #expect(try Self.frames(["ok\n", long, long + "\n", "later\n"], maxLength: 8) == ["ok", nil])
    }

    @Test("the protocol's limit is the default")
    func defaultLimit() {
        #expect(LineFrameDecoder().maxLength == WireLimits.maxLineBytes)
    }
}
