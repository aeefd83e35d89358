#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Who is at the other end of a connection: laid out as Linux's `struct ucred`, which
/// getsockopt(SO_PEERCRED) fills in.
struct PeerCredentials: Sendable, Equatable {
    var pid: Int32
    var uid: UInt32
    var gid: UInt32

    /// SO_PEERCRED on Linux.
    static let socketOption: Int32 = 17
}

/// Who may use the gate, and who may control it.
struct AccessPolicy: Sendable {
    /// The daemon's own user.
    let ownerUID: UInt32
    /// A group whose members may acquire and report (never pause, resume or set limits).
    let allowedGroup: UInt32?

    /// Resolves `--allow-group NAME` (or a numeric gid).
    init(ownerUID: UInt32, allowGroup: String?) throws(ServerStartError) {
        self.ownerUID = ownerUID
        guard let allowGroup else {
            self.allowedGroup = nil
            return
        }
        if let group = getgrnam(allowGroup) {
            self.allowedGroup = group.pointee.gr_gid
        } else if let gid = UInt32(allowGroup) {
            self.allowedGroup = gid
        } else {
            throw .unknownGroup(allowGroup)
        }
    }

    /// The daemon's user, root, and members of the allowed group may connect.
    func mayConnect(_ peer: PeerCredentials) -> Bool {
        if mayControl(peer) { return true }
        guard let allowedGroup else { return false }
        return peer.gid == allowedGroup || Self.groups(ofUID: peer.uid, primary: peer.gid).contains(allowedGroup)
    }

    /// Only the daemon's own user and root may pause, resume and change limits.
    func mayControl(_ peer: PeerCredentials) -> Bool { peer.uid == ownerUID || peer.uid == 0 }

    private static func groups(ofUID uid: UInt32, primary: UInt32) -> [UInt32] {
        guard let user = getpwuid(uid), let name = user.pointee.pw_name else { return [] }
        var count: Int32 = 64
        var groups = [gid_t](repeating: 0, count: Int(count))
        if getgrouplist(name, primary, &groups, &count) < 0 {
            groups = [gid_t](repeating: 0, count: Int(count))
            guard getgrouplist(name, primary, &groups, &count) >= 0 else { return [] }
        }
        return Array(groups.prefix(Int(count)))
    }
}
