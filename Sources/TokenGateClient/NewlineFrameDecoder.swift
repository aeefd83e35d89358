import NIOCore

/// Splits the daemon's byte stream into lines (without their `\n`), one `ByteBuffer` per line.
///
/// Replies have no length limit in the contract (a Status with many workers can be long), so the
/// bound here is generous; it only keeps a broken peer from growing the buffer without end.
struct NewlineFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    /// The longest line accepted before the connection is dropped.
    static let maximumLineBytes = 16 * 1024 * 1024

    /// How far the current buffer was already searched for a newline.
    private var scannedBytes = 0

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        let view = buffer.readableBytesView
        let searchStart = view.index(view.startIndex, offsetBy: scannedBytes)
        guard let newline = view[searchStart...].firstIndex(of: UInt8(ascii: "\n")) else {
            scannedBytes = view.count
            if scannedBytes > Self.maximumLineBytes { throw ReplyLineTooLong(bytes: scannedBytes) }
            return .needMoreData
        }
        scannedBytes = 0
        let length = view.distance(from: view.startIndex, to: newline)
        guard let line = buffer.readSlice(length: length) else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 1)
        context.fireChannelRead(wrapInboundOut(line))
        return .continue
    }

    mutating func decodeLast(
        context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool
    ) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        // A last line without its newline is incomplete: the daemon always ends its lines.
        buffer.moveReaderIndex(to: buffer.writerIndex)
        return .needMoreData
    }
}

/// The daemon sent a line longer than ``NewlineFrameDecoder/maximumLineBytes``.
struct ReplyLineTooLong: Error, CustomStringConvertible {
    let bytes: Int
    var description: String { "the daemon sent a line longer than \(bytes) bytes" }
}
