/// A request the daemon refuses: the error code, a message for humans, and the request's id when it
/// could be read (so that the error reply can carry it).
public struct WireFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// The request's id; `nil` when the request had none or it could not be read (the line was not
    /// JSON, or the id was neither an integer nor a string).
    public var id: RequestID?
    /// The contract's error code.
    public var code: WireErrorCode
    /// What was wrong, naming the field when one was.
    public var message: String

    public init(id: RequestID?, code: WireErrorCode, message: String) {
        self.id = id
        self.code = code
        self.message = message
    }

    /// The error reply line: `{"id":...,"ok":false,"error":"<code>","message":"<text>"}\n`.
    public func encodeReplyLine() -> [UInt8] {
        Reply.encodeError(id: id, code: code, message: message)
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
