/// A Status object already serialized to compact JSON, so that a daemon can encode one snapshot once
/// and send it to every subscriber.
public struct EncodedStatus: Sendable, Equatable {
    /// The compact JSON object, without a newline.
    public let bytes: [UInt8]

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The JSON text.
    public var text: String { String(decoding: bytes, as: UTF8.self) }
}

/// Why bytes could not be read as a Status object.
public struct StatusDecodingError: Error, Sendable, CustomStringConvertible {
    public let description: String
}

extension Status {
    /// The Status object as a JSON value, keys in the contract's order and snake_case;
    /// `cooldown_remaining_ms`, `queue` and `cooldown_worker` are absent when `nil`.
    public func jsonValue() -> JSONValue {
        do {
            return try JSONValueEncoder().encode(self)
        } catch {
            // Unreachable: Status's synthesized encode(to:) throws only what the encoder throws, and
            // JSONValueEncoder throws nothing.
            assertionFailure("JSONValueEncoder failed on Status: \(error)")
            return .object(JSONObject())
        }
    }

    /// The Status object as compact JSON, ready for `Reply.encodeStatus` and
    /// `Reply.encodeSnapshotEvent`, or to print (`tokengate status --json`: use `encoded().text`).
    public func encoded() -> EncodedStatus {
        EncodedStatus(bytes: jsonValue().serialized())
    }

    /// Reads a Status object from a parsed JSON value (unknown keys are ignored).
    public init(json: JSONValue) throws(StatusDecodingError) {
        do {
            self = try JSONValueDecoder().decode(Status.self, from: json)
        } catch {
            throw StatusDecodingError(description: "invalid Status object: \(Self.describe(error))")
        }
    }

    /// Reads a Status object from JSON text in UTF-8.
    public static func decode(json bytes: [UInt8]) throws(StatusDecodingError) -> Status {
        let value: JSONValue
        do {
            value = try JSONValue.parse(bytes)
        } catch {
            throw StatusDecodingError(description: "invalid Status JSON: \(error)")
        }
        return try Status(json: value)
    }

    private static func describe(_ error: any Error) -> String {
        guard let decodingError = error as? DecodingError else { return "\(error)" }
        let context: DecodingError.Context
        switch decodingError {
        case .typeMismatch(_, let found), .valueNotFound(_, let found), .keyNotFound(_, let found),
            .dataCorrupted(let found):
            context = found
        @unknown default:
            return "\(error)"
        }
        let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        return path.isEmpty ? context.debugDescription : "\(path): \(context.debugDescription)"
    }
}
