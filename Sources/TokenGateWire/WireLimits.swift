/// The protocol's fixed limits and defaults.
public enum WireLimits {
    /// The longest request or reply line, in bytes, not counting its terminating newline.
    public static let maxLineBytes = 65_536
    /// The largest token count or millisecond value the protocol carries: 2^53-1, the largest
    /// integer every JSON implementation (JavaScript's included) represents exactly.
    public static let maxCount: Int64 = 9_007_199_254_740_991
    /// The protocol version `hello` must name.
    public static let protocolVersion: Int64 = 1
    /// The longest worker name, in bytes (worker names are ASCII).
    public static let maxWorkerNameLength = 64
    /// The longest ticket, in bytes (tickets are printable ASCII).
    public static let maxTicketLength = 128
    /// The shortest `subscribe` interval.
    public static let minSubscribeIntervalMs: Int64 = 50
    /// The `subscribe` interval when the request names none.
    public static let defaultSubscribeIntervalMs: Int64 = 250

    /// The longest `model` string, in bytes (contract v2).
    public static let maxModelLength = 256

    /// Whether `name` can name a pool: 1 to 64 characters of `A-Za-z0-9._-` (contract v2).
    public static func isValidPoolName(_ name: String) -> Bool {
        isValidWorkerName(name) && !name.utf8.contains(UInt8(ascii: ":"))
    }

    /// Whether `name` is a valid worker name: 1 to 64 characters of `A-Za-z0-9._:-`.
    public static func isValidWorkerName(_ name: String) -> Bool {
        let utf8 = name.utf8
        guard !utf8.isEmpty, utf8.count <= maxWorkerNameLength else { return false }
        return utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: ":"), UInt8(ascii: "-"):
                return true
            default:
                return false
            }
        }
    }

    /// Whether `ticket` is a valid ticket: 1 to 128 printable ASCII characters (space to `~`).
    public static func isValidTicket(_ ticket: String) -> Bool {
        let utf8 = ticket.utf8
        guard !utf8.isEmpty, utf8.count <= maxTicketLength else { return false }
        return utf8.allSatisfy { $0 >= 0x20 && $0 <= 0x7E }
    }
}
