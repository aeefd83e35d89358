import Foundation

/// The environment the tests give every process they start: this process's, with `HOME`,
/// `XDG_STATE_HOME`, `XDG_CONFIG_HOME` and `XDG_RUNTIME_DIR` pointed into one private directory of
/// this test run and `TOKENGATE_SOCKET` removed. Nothing a test starts can read the user's config
/// file or write the user's journal, whatever flags it forgets.
public enum HermeticEnvironment {
    /// The private directory (`/tmp/tg-home-<pid>`, mode 0700), created on first use.
    public static let root: String = {
        let path = "/tmp/tg-home-\(getpid())"
        for directory in [path, path + "/home", path + "/state", path + "/config", path + "/run"] {
            mkdir(directory, 0o700)
        }
        atexit { try? FileManager.default.removeItem(atPath: "/tmp/tg-home-\(getpid())") }
        return path
    }()

    /// The variables pointed into ``root``.
    public static var overrides: [String: String] {
        [
            "HOME": root + "/home", "XDG_STATE_HOME": root + "/state", "XDG_CONFIG_HOME": root + "/config",
            "XDG_RUNTIME_DIR": root + "/run",
        ]
    }

    /// This process's environment with the overrides, without `TOKENGATE_SOCKET`.
    public static var variables: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["TOKENGATE_SOCKET"] = nil
        return environment.merging(overrides) { $1 }
    }
}
