import ArgumentParser

extension ExitCode {
    /// 1: an error, reported as one clear line on stderr.
    static let failed = ExitCode(1)
    /// 2: a usage error.
    static let usage = ExitCode(2)
    /// 3: the daemon is not reachable.
    static let unreachable = ExitCode(3)
    /// 4: timed out waiting for a grant.
    static let timedOut = ExitCode(4)
}
