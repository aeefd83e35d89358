import NIOCore

/// What ``LineFrameDecoder`` hands on: a complete line, or notice that a line grew past the limit.
public enum Frame {
    /// A line without its newline (and without a carriage return before it).
    case line(ByteBuffer)
    /// A line grew past the limit; nothing after it is decoded.
    case tooLong
}

/// Splits a byte stream at newlines, at most `maxLength` bytes per line (a trailing CR is
/// dropped): the daemon's framer for requests and the client's for replies. A longer line yields
/// `.tooLong` once and everything after it is discarded: the connection is to be closed. A last
/// line without its newline at the end of the stream is incomplete and is dropped.
public struct LineFrameDecoder: ByteToMessageDecoder {
    public typealias InboundOut = Frame

    /// The longest line handed on, in bytes, not counting its newline.
    public let maxLength: Int
    private var scanned = 0
    private var overflowed = false

    /// A framer for lines of at most `maxLength` bytes (the protocol's request limit unless told).
    public init(maxLength: Int = WireLimits.maxLineBytes) { self.maxLength = maxLength }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        if overflowed {
            buffer.moveReaderIndex(to: buffer.writerIndex)
            return .needMoreData
        }
        let view = buffer.readableBytesView
        guard let newline = view[(view.startIndex + scanned)...].firstIndex(of: UInt8(ascii: "\n")) else {
            scanned = view.count
            if view.count > maxLength { overflow(context: context, buffer: &buffer) }
            return .needMoreData
        }
        scanned = 0
        var length = newline - view.startIndex
        guard length <= maxLength + 1 else {
            overflow(context: context, buffer: &buffer)
            return .needMoreData
        }
        if length > 0, view[newline - 1] == UInt8(ascii: "\r") { length -= 1 }
        guard length <= maxLength, let line = buffer.readSlice(length: length) else {
            overflow(context: context, buffer: &buffer)
            return .needMoreData
        }
        buffer.moveReaderIndex(to: buffer.readerIndex + (newline - view.startIndex - length) + 1)
        context.fireChannelRead(wrapInboundOut(.line(line)))
        return .continue
    }

    public mutating func decodeLast(
        context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool
    ) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        // A partial line at the end of the stream is not a request, nor a reply.
        buffer.moveReaderIndex(to: buffer.writerIndex)
        return .needMoreData
    }

    private mutating func overflow(context: ChannelHandlerContext, buffer: inout ByteBuffer) {
        overflowed = true
        buffer.moveReaderIndex(to: buffer.writerIndex)
        context.fireChannelRead(wrapInboundOut(.tooLong))
    }
}
