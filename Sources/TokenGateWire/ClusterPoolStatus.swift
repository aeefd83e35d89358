/// Addition to status `cluster`: one pool's shared window, over every host of the organisation.
public struct ClusterPoolStatus: Codable, Sendable, Equatable {
    public var name: String
    /// Reported tokens in the shared window.
    public var used: Int64
    /// Reserved (unreported) tokens in the shared window.
    public var reserved: Int64
    /// Acquires waiting in the shared queue, of every host.
    public var waiting: Int64
    /// Tokens a provider reported spent that no host's tickets account for, counting now; absent when 0.
    public var external: Int64?

    public init(name: String, used: Int64, reserved: Int64, waiting: Int64, external: Int64? = nil) {
        self.name = name
        self.used = used
        self.reserved = reserved
        self.waiting = waiting
        self.external = external
    }
}
