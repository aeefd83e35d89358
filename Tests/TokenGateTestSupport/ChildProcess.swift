import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A child process for the tests, started with `posix_spawn` rather than Foundation's `Process`.
///
/// Standard input is /dev/null, standard output and error go to files, no other descriptor is
/// inherited, the signal mask is empty and the usual signals have their default dispositions. The
/// exit is observed with `waitpid` on the child's pid. (Foundation's `Process` learns of an exit
/// through a descriptor that any process spawned meanwhile by a parallel test may inherit and hold
/// open, such as a daemon or a tmux server: the exit then goes unnoticed and `waitUntilExit` spins
/// forever.)
public final class ChildProcess: @unchecked Sendable {
    /// The child's process id.
    public let pid: pid_t
    private let lock = NSLock()
    private var status: Int32?

    /// Starts `argv[0]` (an absolute path) with `argv` and exactly `environment`.
    public init(_ argv: [String], environment: [String: String], stdout: String, stderr: String) throws {
        guard let executable = argv.first else { throw TestFailure("no executable given") }
        #if canImport(Darwin)
        var actions: posix_spawn_file_actions_t?
        var attributes: posix_spawnattr_t?
        #else
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        #endif
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }

        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        var flags = Int32(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)
        #if canImport(Darwin)
        flags |= Int32(POSIX_SPAWN_CLOEXEC_DEFAULT)
        #else
        Self.closeInheritedDescriptors(&actions)
        #endif
        posix_spawnattr_setflags(&attributes, Int16(flags))
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGHUP, SIGINT, SIGQUIT, SIGPIPE, SIGTERM, SIGCHLD, SIGUSR1, SIGUSR2, SIGALRM] {
            sigaddset(&defaults, signal)
        }
        posix_spawnattr_setsigdefault(&attributes, &defaults)

        let cArguments = argv.map { strdup($0) } + [nil]
        let cEnvironment = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            cArguments.forEach { free($0) }
            cEnvironment.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, cArguments, cEnvironment)
        guard result == 0 else {
            throw TestFailure("posix_spawn \(executable): \(String(cString: strerror(result)))")
        }
        self.pid = pid
        ChildRegistry.shared.add(pid)
    }

    #if !canImport(Darwin)
    /// Closes every descriptor from 3 up in the child: with glibc's
    /// `posix_spawn_file_actions_addclosefrom_np` (2.34 and later, not imported into Swift), else
    /// one close action per descriptor open now.
    private static func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) {
        typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        if let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "posix_spawn_file_actions_addclosefrom_np") {
            let addCloseFrom = unsafeBitCast(symbol, to: AddCloseFrom.self)
            if addCloseFrom(&actions, 3) == 0 { return }
        }
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for descriptor in open.compactMap({ Int32($0) }) where descriptor > 2 {
            posix_spawn_file_actions_addclose(&actions, descriptor)
        }
    }
    #endif

    /// The exit status once the child has exited (the code, or 128 + the signal); `nil` while it runs.
    public func poll() -> Int32? {
        lock.withLock {
            if let status { return status }
            var word: Int32 = 0
            let result = waitpid(pid, &word, WNOHANG)
            guard result == pid else { return nil }
            let exited = word & 0x7f == 0 ? (word >> 8) & 0xff : 128 + (word & 0x7f)
            status = exited
            ChildRegistry.shared.remove(pid)
            return exited
        }
    }

    /// Whether the child has not exited yet.
    public var isRunning: Bool { poll() == nil }

    /// Sends `signal` unless the child was already reaped.
    public func send(_ signal: Int32) {
        if poll() == nil { kill(pid, signal) }
    }

    /// Waits up to `timeout` for the exit; `nil` when the child still runs.
    public func wait(timeout: Duration) async -> Int32? {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            if let status = poll() { return status }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return poll()
    }

    /// ``wait(timeout:)`` for synchronous cleanup.
    public func waitBlocking(seconds: TimeInterval) -> Int32? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let status = poll() { return status }
            usleep(5_000)
        }
        return poll()
    }

    /// SIGTERM, then SIGKILL after `grace` seconds; the exit status, `nil` when it had to be killed.
    @discardableResult
    public func terminate(grace: TimeInterval) -> Int32? {
        if let status = poll() { return status }
        kill(pid, SIGTERM)
        if let status = waitBlocking(seconds: grace) { return status }
        kill(pid, SIGKILL)
        _ = waitBlocking(seconds: 5)
        return nil
    }
}

/// The children started by this test process, killed when it exits should a test leave one behind.
final class ChildRegistry: @unchecked Sendable {
    static let shared: ChildRegistry = {
        let registry = ChildRegistry()
        atexit { ChildRegistry.shared.killAll() }
        return registry
    }()

    private let lock = NSLock()
    private var pids: Set<pid_t> = []

    func add(_ pid: pid_t) { lock.withLock { _ = pids.insert(pid) } }
    func remove(_ pid: pid_t) { lock.withLock { _ = pids.remove(pid) } }

    func killAll() {
        let remaining = lock.withLock { pids }
        for pid in remaining { kill(pid, SIGKILL) }
    }
}
