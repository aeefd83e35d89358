import TokenGateCore

/// How long the client waits between attempts to reach the daemon again (defined in the core,
/// which the daemon's Redis client shares).
public typealias ReconnectBackoff = TokenGateCore.ReconnectBackoff
